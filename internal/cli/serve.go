package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/bootstrap"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/retention"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin/geoip"
	"github.com/tracflow/tracflow/plugin/outbound"
)

func serveCommand() *command {
	return &command{
		name:  "serve",
		usage: "[flags]",
		short: "run the server: collector, API and web editor",
		long: `Runs the whole platform in one process: the collector (/track, /collect), the
workflow engine, the management API and the web editor. It binds its address
first and only then opens the database; on the first start it creates the
admin account (TRACFLOW_ADMIN_EMAIL, TRACFLOW_ADMIN_PASSWORD, or a generated
password printed once) and a demo.

Port 8686 is also Tracardi's: when another server holds it, choose another
address with --addr (or TRACFLOW_ADDR).`,
		env:    true,
		config: true,
		flags: func(fs *flag.FlagSet) runFunc {
			var s serveSettings
			s.define(fs)
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("serve: unexpected argument %q (serve takes flags only)", args[0])
				}
				return e.serve(&s)
			}
		},
	}
}

// serveSettings are serve's settings: each a flag, a TRACFLOW_* variable
// and a line of the --config file.
type serveSettings struct {
	addr, data, db  string
	maxBody         string
	maxEvents       int
	logFormat       string
	logLevel        string
	metricsToken    string
	metricsAddr     string
	trustedProxies  string
	maxNodeRuns     int
	maxFlowBytes    string
	allowPrivate    bool
	cacheSize       string
	visitTimeout    time.Duration
	retain          func() (retention.Policy, error)
	tokenTTL        time.Duration
	noDemo          bool
	trackerDir      string
	pprofAddr       string
	deliveryProcess bool
	deliveryNice    int
	deliveryIdle    bool
	// enrichment and system events
	geoipDB         string
	visitEndedAfter time.Duration
}

// define defines the settings' flags on fs.
func (s *serveSettings) define(fs *flag.FlagSet) {
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8686", "address to listen on; 0.0.0.0:8686 for every interface")
	fs.StringVar(&s.data, "data", "./data", "data folder for the embedded database and keys")
	fs.StringVar(&s.db, "db", "", "database: empty for the embedded SQLite in --data, sqlite:PATH for an SQLite file elsewhere, or postgres://...")
	fs.StringVar(&s.maxBody, "max-body", "1MiB", "largest request body accepted (e.g. 512KiB, 2MiB)")
	fs.IntVar(&s.maxEvents, "max-events", 1000, "most events accepted in one /track request")
	fs.StringVar(&s.logFormat, "log-format", "text", "log format: text or json (JSON: every line on stderr is one JSON record)")
	fs.StringVar(&s.logLevel, "log-level", "info", "least severe log level written: debug (also each collector request), info (each management request), warn or error")
	fs.StringVar(&s.metricsToken, "metrics-token", "", "bearer token a scraper sends to read /metrics; without it, /metrics takes an admin's or maintainer's API token")
	fs.StringVar(&s.metricsAddr, "metrics-addr", "", "also serve /metrics, without a token unless --metrics-token is set, on this address of its own, e.g. 127.0.0.1:9686")
	fs.StringVar(&s.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8; from other peers the header is ignored")
	fs.IntVar(&s.maxNodeRuns, "max-node-runs", workflow.DefaultMaxNodeRuns, "most node runs the flows of one event may make; past it the run stops with an error")
	fs.BoolVar(&s.allowPrivate, "allow-private-outbound", false, "let connector plugins reach private, loopback and link-local addresses, e.g. services on the server's own network; off, such calls fail on the node's error port")
	fs.StringVar(&s.maxFlowBytes, "max-flow-bytes", "16MiB", "most payload data one flow run may create; past it the run stops with an error")
	fs.DurationVar(&s.tokenTTL, "token-ttl", time.Hour, "how long an API token stays valid without use")
	fs.BoolVar(&s.noDemo, "no-demo", false, "on first start, do not create the demo source, flow and rule")
	fs.StringVar(&s.trackerDir, "tracker-dir", "", "serve this folder's files at /tracker/, e.g. a browser tracker bundle")
	fs.StringVar(&s.cacheSize, "cache-size", "64MiB", "memory the embedded database's profile and session cache may take")
	fs.DurationVar(&s.visitTimeout, "visit-timeout", tracking.DefaultVisitTimeout, "a request without a session id joins the profile's last session if it saw an event within this time")
	s.retain = retentionFlags(fs)
	fs.StringVar(&s.geoipDB, "geoip-db", "", "a MaxMind GeoLite2/GeoIP2 City database (.mmdb): sessions get the geo location of their client address, and the GeoIp service plugin reads it by default")
	fs.DurationVar(&s.visitEndedAfter, "visit-ended-after", 0, "the inactivity after which a visit ends and its visit-ended event fires (default: --visit-timeout)")
	fs.BoolVar(&s.deliveryProcess, "delivery-process", true, "send the destinations' deliveries from a child process of lower CPU priority, so that /track's latency does not depend on them; false: from this process")
	fs.IntVar(&s.deliveryNice, "delivery-nice", 10, "how much lower the delivery process's CPU priority is (a nice value, 0 to 19)")
	fs.BoolVar(&s.deliveryIdle, "delivery-idle", true, "on Linux, run the delivery process in the kernel's idle scheduling class (SCHED_IDLE): it gets a processor only when /track's requests leave one; false: at --delivery-nice alone")
	fs.StringVar(&s.pprofAddr, "pprof", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty")
}

// newLogger makes the logger --log-format and --log-level ask for; json
// says it writes JSON records.
func newLogger(w io.Writer, format, levelName string) (log *slog.Logger, json bool, err error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(levelName)); err != nil {
		return nil, false, usagef("--log-level: say debug, info, warn or error, not %q", levelName)
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), false, nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), true, nil
	}
	return nil, false, usagef("--log-format: say text or json, not %q", format)
}

func (e *env) serve(s *serveSettings) error {
	log, jsonLogs, err := newLogger(e.stderr, s.logFormat, s.logLevel)
	if err != nil {
		return err
	}
	// fail ends the start: with JSON logs as one error record, so that
	// stderr stays JSON only; with text logs as the usual one line.
	fail := func(err error) error {
		if jsonLogs {
			log.Error(err.Error())
			return &reportedError{err}
		}
		return err
	}
	limit, err := parseSize(s.maxBody)
	if err != nil {
		return fail(usagef("--max-body: %v", err))
	}
	outbound.SetAllowPrivate(s.allowPrivate)
	cacheBytes, err := parseSize(s.cacheSize)
	if err != nil {
		return fail(usagef("--cache-size: %v", err))
	}
	if s.visitTimeout <= 0 {
		return fail(usagef("--visit-timeout: say a positive duration such as 30m, not %s", s.visitTimeout))
	}
	policy, err := s.retain()
	if err != nil {
		return fail(err)
	}
	proxies, err := auth.ParseTrustedProxies(s.trustedProxies)
	if err != nil {
		return fail(usagef("--trusted-proxies: %v", err))
	}
	flowLimits, err := parseFlowLimits(s.maxNodeRuns, s.maxFlowBytes)
	if err != nil {
		return fail(err)
	}
	if s.deliveryNice < 0 || s.deliveryNice > 19 {
		return fail(usagef("--delivery-nice: say 0 to 19, not %d", s.deliveryNice))
	}
	// A test binary cannot be started as `tracflow deliver`: tests that run
	// serve in their process deliver from it.
	deliveryProcess := s.deliveryProcess && !testing.Testing()

	// Bind the addresses before anything is created: a start that cannot
	// listen must not leave an admin account behind whose generated
	// password nobody saw.
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fail(listenError("--addr", s.addr, err))
	}
	defer ln.Close()
	var pprofLn net.Listener
	if s.pprofAddr != "" {
		if pprofLn, err = net.Listen("tcp", s.pprofAddr); err != nil {
			return fail(listenError("--pprof", s.pprofAddr, err))
		}
		defer pprofLn.Close()
	}
	var metricsLn net.Listener
	if s.metricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", s.metricsAddr); err != nil {
			return fail(listenError("--metrics-addr", s.metricsAddr, err))
		}
		defer metricsLn.Close()
	}

	if os.Getenv("GOGC") == "" {
		// The collector allocates many short-lived maps per event; collecting
		// garbage less often costs memory (of which a server has plenty) and
		// saves CPU. GOGC in the environment overrides it.
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// The GC setting above lets the heap grow to five times what is
		// live; past the cache and a working margin, collect sooner instead
		// (GOMEMLIMIT in the environment overrides it).
		debug.SetMemoryLimit(cacheBytes + memoryMargin)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if s.db == "" {
		if err := os.MkdirAll(s.data, 0o700); err != nil {
			return fail(fmt.Errorf("data folder %s: %w", s.data, err))
		}
	}
	st, err := open.Open(ctx, s.db, s.data)
	if err != nil {
		return fail(fmt.Errorf("opening the database: %w", err))
	}
	defer st.Close()

	reg, rep := e.registry()
	for _, x := range rep.Error {
		log.Warn("plugin not installed", "module", x.Module, "reason", x.Reason)
	}
	cat := catalog.New(st, reg, log)
	if err := cat.Start(ctx); err != nil {
		return fail(fmt.Errorf("loading the configuration: %w", err))
	}
	defer cat.Close()
	// Install the plugins into storage on every start, so the palette
	// matches this binary (settings are kept).
	if _, err := cat.InstallPlugins(ctx, e.installed()); err != nil {
		return fail(fmt.Errorf("installing plugins: %w", err))
	}
	backend, dbFile := open.Classify(s.db, s.data)
	embedded := backend == open.SQLite
	res, err := openResources(ctx, st, embedded, s.data, log)
	if err != nil {
		return fail(err)
	}
	var tracker *tracking.Tracker
	forget := func(id string) { tracker.Forget(id) } // runs only once the queue works
	bg, err := startBackground(ctx, st, res, s.db, s.data, policy, forget, &tracker, deliveryProcess, log)
	if err != nil {
		return fail(err)
	}
	defer bg.close(log)
	geo, err := openGeoIP(s.geoipDB)
	if err != nil {
		return fail(err)
	}
	if geo != nil {
		defer geo.Close()
	}
	bg.segs.Catalog, bg.segs.Data = cat, rundata.New(st) // segmentation workflows
	tracker = tracking.New(st, cat, tracking.Options{CacheProfiles: embedded, CacheBytes: cacheBytes, VisitTimeout: s.visitTimeout, Log: log, Resources: res.ForRuns(false), FlowLimits: flowLimits,
		Committed: bg.dest.Notify, Waits: bg.waits.Store, GeoIP: geo, Jobs: bg.q, VisitEndedAfter: s.visitEndedAfter,
		ScheduleEvent: bg.inbox.ScheduleEvent})
	srv := api.New(st, cat, tracker, api.Options{MaxBody: limit, MaxEvents: s.maxEvents, TokenTTL: s.tokenTTL, Log: log, Static: staticHandler(), TrackerDir: s.trackerDir,
		Resources: res, MetricsToken: s.metricsToken, Installed: e.installed, FlowLimits: flowLimits, TrustedProxies: proxies, Jobs: bg.q, Destinations: bg.dest,
		Segments: bg.segs, Inbox: bg.inbox, Schedules: bg.sched})
	// Not ctx: a signal stops the queue gracefully, in bg.close.
	if err := bg.q.Start(context.WithoutCancel(ctx)); err != nil {
		return fail(err)
	}
	bg.inbox.Start(ctx)
	if !deliveryProcess {
		storeBacklog(s.db, s.data, bg.dest, log)
	} else if bg.deliver, err = startDeliveryProcess(ctx, s.db, s.data, s.logFormat, s.logLevel, s.deliveryNice, s.deliveryIdle, bg.dest, bg.q, log, e.stderr); err != nil {
		return fail(err)
	}

	adminPassword := os.Getenv("TRACFLOW_ADMIN_PASSWORD")
	first, err := bootstrap.FirstStart(ctx, st, cat, srv.Auth(), os.Getenv("TRACFLOW_ADMIN_EMAIL"), adminPassword, !s.noDemo)
	if err != nil {
		return fail(err)
	}
	if first == nil {
		did, who, err := bootstrap.AdminPassword(ctx, st, srv.Auth(), adminPassword)
		if err != nil {
			return fail(err)
		}
		switch did {
		case bootstrap.PasswordApplied:
			log.Info("set the admin's password from TRACFLOW_ADMIN_PASSWORD (the admin had not changed the password a start set)", "user", who)
		case bootstrap.PasswordIgnored:
			log.Warn("TRACFLOW_ADMIN_PASSWORD is ignored: this installation has its users already and the admin's password was changed since the first start; "+
				"to set a password, run: tracflow admin reset-password EMAIL", "user", who)
		}
	}

	if pprofLn != nil {
		go func() {
			log.Info("profiler listening", "url", "http://"+pprofLn.Addr().String()+"/debug/pprof/")
			if err := http.Serve(pprofLn, pprofMux()); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Error("profiler", "err", err)
			}
		}()
	}
	metricsURL := ""
	if metricsLn != nil {
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second}
		go func() {
			if err := ms.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				log.Error("metrics listener", "err", err)
			}
		}()
		defer ms.Close()
		metricsURL = "http://" + metricsLn.Addr().String() + "/metrics"
	}
	base := "http://" + ln.Addr().String()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	where := backend.String()
	if embedded {
		where += " " + dbFile
	}
	// The welcome comes first: the "listening" line tells scripts (and the
	// tests) that the server is ready, with everything it prints.
	if first != nil {
		if jsonLogs {
			logWelcome(log, base, first)
		} else {
			e.printWelcome(base, first)
		}
	}
	log.Info("tracflow is listening", "url", base, "database", where, "plugins", len(reg.List()))
	if metricsURL != "" {
		// Not "url=": scripts wait for the line above by that key.
		log.Info("metrics are served on an address of their own", "metrics", metricsURL)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fail(err)
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			log.Warn("shutdown", "err", err)
		}
	}
	return nil
}

// memoryMargin is the Go heap the server may use beyond its cache (requests
// in flight, flows, the database driver's buffers) before the garbage
// collector works harder to stay within it. With the default cache it keeps
// the process under 256 MB (see docs/server.md#memory): the cache, this
// margin, SQLite's memory outside the Go heap (about 35 MiB) and the
// binary's own pages (about 35 MiB).
//
// The margin is also the garbage the collector lets pile up between two
// collections once the cache is full, and every collection walks the whole
// cache (decoded documents are maps, full of pointers): with 32 MiB and a
// 96 MiB cache, collections took 45 % of the CPU of a server meeting new
// visitors all the time; with 64 and 64, 30 %, and it answered about twice
// as many of them (docs/server.md#memory).
const memoryMargin = 64 << 20

// openResources finds the secret key that encrypts resource credentials:
// TRACFLOW_SECRET_KEY, or for the embedded database a key file created in
// the data folder. PostgreSQL needs TRACFLOW_SECRET_KEY: the processes
// sharing the database must share the key, which a file in one machine's
// data folder cannot promise.
func openResources(ctx context.Context, st store.Store, embedded bool, data string, log *slog.Logger) (*resources.Service, error) {
	env := os.Getenv(secrets.EnvVar)
	if env == "" && !embedded {
		return nil, fmt.Errorf("PostgreSQL needs %s: the key that encrypts resource credentials, the same for every tracflow process "+
			"sharing the database (make one with: openssl rand -base64 32, and keep it safe)", secrets.EnvVar)
	}
	key, src, where, err := secrets.LoadKey(env, data)
	if err != nil {
		return nil, err
	}
	box, err := secrets.New(key)
	if err != nil {
		return nil, err
	}
	if src == secrets.FromCreatedFile {
		log.Info("created the secret key that encrypts resource credentials: back it up with the database", "file", where)
	}
	res, err := resources.New(ctx, st, box)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (e *env) printWelcome(base string, first *bootstrap.Result) {
	w := e.stderr
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Welcome to Tracflow. This is a new installation.")
	fmt.Fprintf(w, "  Admin account: %s\n", first.AdminEmail)
	if first.GeneratedPassword != "" {
		fmt.Fprintf(w, "  Password:      %s   (generated; shown only now; set TRACFLOW_ADMIN_PASSWORD to choose one)\n", first.GeneratedPassword)
	}
	fmt.Fprintf(w, "  Web editor:    %s/\n", base)
	if first.Demo {
		fmt.Fprintln(w, "\nA demo is ready: page-view events from the source \""+bootstrap.DemoSourceID+"\" count views on the profile.")
		fmt.Fprintln(w, "Send one (repeat it with the profile id it answers to see the count grow):")
		fmt.Fprintln(w, "  "+curlLine(base))
	}
	fmt.Fprintln(w)
}

// curlLine is the demo's first request.
func curlLine(base string) string {
	return fmt.Sprintf(`curl -s %s/track -H 'content-type: application/json' -d '{"source":{"id":"%s"},"events":[{"type":"page-view","properties":{"url":"https://example.com/"}}]}'`,
		base, bootstrap.DemoSourceID)
}

// logWelcome is the welcome as one log record, for JSON logs.
func logWelcome(log *slog.Logger, base string, first *bootstrap.Result) {
	attrs := []any{"admin_email", first.AdminEmail, "web_editor", base + "/"}
	if first.GeneratedPassword != "" {
		attrs = append(attrs, "admin_password", first.GeneratedPassword,
			"admin_password_note", "generated; shown only now; set TRACFLOW_ADMIN_PASSWORD to choose one")
	}
	if first.Demo {
		attrs = append(attrs, "demo_source", bootstrap.DemoSourceID, "try", curlLine(base))
	}
	log.Info("welcome to Tracflow: a new installation", attrs...)
}

func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// parseSize reads sizes like 1048576, 512KiB, 1MiB, 2MB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("expected a size such as 1048576, 512KiB or 1MiB")
	}
	return n * mult, nil
}

// parseFlowLimits reads --max-node-runs and --max-flow-bytes.
func parseFlowLimits(runs int, size string) (workflow.Limits, error) {
	if runs <= 0 {
		return workflow.Limits{}, usagef("--max-node-runs: expected a whole number above 0, got %d", runs)
	}
	b, err := parseSize(size)
	if err != nil {
		return workflow.Limits{}, usagef("--max-flow-bytes: %v", err)
	}
	return workflow.Limits{MaxNodeRuns: runs, MaxPayloadBytes: b}, nil
}

// openGeoIP opens the --geoip-db file (nil without one) and makes it the
// GeoIp service plugin's default too.
func openGeoIP(path string) (*geoip.DB, error) {
	if path == "" {
		return nil, nil
	}
	db, err := geoip.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--geoip-db: %w", err)
	}
	if err := os.Setenv(geoip.DatabaseEnv, path); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
