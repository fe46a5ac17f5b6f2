package datetime

import (
	"math"
	"time"
)

// The sun's position by NOAA's solar calculator equations (after Jean
// Meeus, Astronomical Algorithms), good to about a minute between 1800 and
// 2100 for latitudes within 72 degrees; farther north and south sunrise
// and sunset move fast from day to day and the error grows.

// sunDay is the daylight of one day at one place.
type sunDay struct {
	rise, set time.Time
	// polar is 0 on an ordinary day, +1 when the sun never sets (polar
	// day), -1 when it never rises (polar night).
	polar int
}

func rad(d float64) float64 { return d * math.Pi / 180 }
func deg(r float64) float64 { return r * 180 / math.Pi }

// sunTimes returns sunrise and sunset on the solar day whose noon falls on
// the UTC date of day, at latitude lat and longitude lng (degrees, east and
// north positive).
func sunTimes(day time.Time, lat, lng float64) sunDay {
	y, m, d := day.UTC().Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	// Local solar noon, roughly: the equations are evaluated at that time.
	noonGuess := 720 - 4*lng
	jd := float64(midnight.Unix())/86400 + 2440587.5 + noonGuess/1440
	t := (jd - 2451545) / 36525

	l0 := math.Mod(280.46646+t*(36000.76983+t*0.0003032), 360)
	mAnom := 357.52911 + t*(35999.05029-0.0001537*t)
	e := 0.016708634 - t*(0.000042037+0.0000001267*t)
	c := math.Sin(rad(mAnom))*(1.914602-t*(0.004817+0.000014*t)) +
		math.Sin(rad(2*mAnom))*(0.019993-0.000101*t) +
		math.Sin(rad(3*mAnom))*0.000289
	trueLong := l0 + c
	omega := 125.04 - 1934.136*t
	appLong := trueLong - 0.00569 - 0.00478*math.Sin(rad(omega))
	meanObliq := 23 + (26+(21.448-t*(46.815+t*(0.00059-t*0.001813)))/60)/60
	obliq := meanObliq + 0.00256*math.Cos(rad(omega))
	decl := math.Asin(math.Sin(rad(obliq)) * math.Sin(rad(appLong)))

	yy := math.Pow(math.Tan(rad(obliq/2)), 2)
	eqTime := 4 * deg(yy*math.Sin(2*rad(l0))-2*e*math.Sin(rad(mAnom))+
		4*e*yy*math.Sin(rad(mAnom))*math.Cos(2*rad(l0))-
		0.5*yy*yy*math.Sin(4*rad(l0))-1.25*e*e*math.Sin(2*rad(mAnom)))

	noon := 720 - 4*lng - eqTime // minutes after midnight UTC
	// 90.833 degrees: the sun's centre below the horizon by refraction and
	// its radius, the usual definition of sunrise and sunset.
	cosHA := math.Cos(rad(90.833))/(math.Cos(rad(lat))*math.Cos(decl)) - math.Tan(rad(lat))*math.Tan(decl)
	switch {
	case cosHA > 1:
		return sunDay{polar: -1}
	case cosHA < -1:
		return sunDay{polar: 1}
	}
	ha := deg(math.Acos(cosHA))
	at := func(minutes float64) time.Time {
		return midnight.Add(time.Duration(minutes * float64(time.Minute))).Truncate(time.Second)
	}
	return sunDay{rise: at(noon - 4*ha), set: at(noon + 4*ha)}
}

// isDay reports whether the sun is up at t at the place: t is between the
// sunrise and the sunset of a solar day around it, or that day is a polar
// day.
func isDay(t time.Time, lat, lng float64) bool {
	for _, off := range []int{0, -1, 1} {
		sd := sunTimes(t.AddDate(0, 0, off), lat, lng)
		switch sd.polar {
		case 1:
			if off == 0 {
				return true
			}
		case 0:
			if sd.rise.Before(t) && t.Before(sd.set) {
				return true
			}
		}
	}
	return false
}
