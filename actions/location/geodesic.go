package location

import "math"

// WGS-84, the ellipsoid of GPS coordinates.
const (
	wgsA = 6378137.0         // semi-major axis, metres
	wgsF = 1 / 298.257223563 // flattening
	wgsB = wgsA * (1 - wgsF) // semi-minor axis
	// meanRadius is the mean radius of the Earth (IUGG), metres.
	meanRadius = 6371008.8
)

// distanceKM returns the geodesic distance in kilometres between two points
// on the WGS-84 ellipsoid (latitudes and longitudes in degrees), by
// Vincenty's inverse formula (accurate to well under a millimetre). For the
// nearly antipodal points where that formula does not converge, it falls
// back to the great-circle distance on a sphere of the Earth's mean radius
// (within 0.5%).
func distanceKM(lat1, lng1, lat2, lng2 float64) float64 {
	if lat1 == lat2 && lng1 == lng2 {
		return 0
	}
	rad := math.Pi / 180
	l := (lng2 - lng1) * rad
	u1 := math.Atan((1 - wgsF) * math.Tan(lat1*rad))
	u2 := math.Atan((1 - wgsF) * math.Tan(lat2*rad))
	sinU1, cosU1 := math.Sincos(u1)
	sinU2, cosU2 := math.Sincos(u2)

	lambda := l
	for i := 0; i < 200; i++ {
		sinL, cosL := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		if sinSigma == 0 {
			return 0 // coincident points
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 { // both points on the equator otherwise
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		c := wgsF / 16 * cos2Alpha * (4 + wgsF*(4-3*cos2Alpha))
		prev := lambda
		lambda = l + (1-c)*wgsF*sinAlpha*(sigma+c*sinSigma*(cos2SigmaM+c*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			uSq := cos2Alpha * (wgsA*wgsA - wgsB*wgsB) / (wgsB * wgsB)
			a := 1 + uSq/16384*(4096+uSq*(-768+uSq*(320-175*uSq)))
			b := uSq / 1024 * (256 + uSq*(-128+uSq*(74-47*uSq)))
			deltaSigma := b * sinSigma * (cos2SigmaM + b/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
				b/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
			return wgsB * a * (sigma - deltaSigma) / 1000
		}
	}
	return greatCircleKM(lat1, lng1, lat2, lng2)
}

// greatCircleKM is the haversine distance on a sphere of the mean radius.
func greatCircleKM(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * meanRadius * math.Asin(math.Min(1, math.Sqrt(h))) / 1000
}
