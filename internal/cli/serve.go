package cli

import (
	"context"
	"errors"
	"fmt"
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
	"time"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/bootstrap"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/internal/workflow"
)

func init() {
	extraCommands = append(extraCommands, command{name: "serve", run: (*env).serve})
}

// envOr returns the environment variable's value, or def.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (e *env) serve(args []string) error {
	fs := e.newFlagSet("serve")
	addr := fs.String("addr", envOr("TRACFLOW_ADDR", "127.0.0.1:8686"), "address to listen on (env TRACFLOW_ADDR)")
	data := fs.String("data", envOr("TRACFLOW_DATA", "./data"), "data folder for the embedded database and keys (env TRACFLOW_DATA)")
	db := fs.String("db", envOr("TRACFLOW_DB", ""), "database: empty for the embedded SQLite in --data, sqlite:PATH for an SQLite file elsewhere, or postgres://... (env TRACFLOW_DB)")
	maxBody := fs.String("max-body", "1MiB", "largest request body accepted (e.g. 512KiB, 2MiB)")
	maxEvents := fs.Int("max-events", 1000, "most events accepted in one /track request")
	logFormat := fs.String("log-format", envOr("TRACFLOW_LOG_FORMAT", "text"), "log format: text or json")
	logLevel := fs.String("log-level", envOr("TRACFLOW_LOG_LEVEL", "info"), "least severe log level written: debug (also each collector request), info (each management request), warn or error")
	metricsToken := fs.String("metrics-token", os.Getenv("TRACFLOW_METRICS_TOKEN"), "bearer token a scraper sends to read /metrics (env TRACFLOW_METRICS_TOKEN); without it, /metrics takes an admin's or maintainer's API token")
	metricsAddr := fs.String("metrics-addr", envOr("TRACFLOW_METRICS_ADDR", ""), "also serve /metrics, without a token unless --metrics-token is set, on this address of its own, e.g. 127.0.0.1:9686 (env TRACFLOW_METRICS_ADDR)")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "how long an API token stays valid without use")
	noDemo := fs.Bool("no-demo", false, "on first start, do not create the demo source, flow and rule")
	trackerDir := fs.String("tracker-dir", envOr("TRACFLOW_TRACKER_DIR", ""), "serve this folder's files at /tracker/, e.g. a browser tracker bundle (env TRACFLOW_TRACKER_DIR)")
	trustedProxies := fs.String("trusted-proxies", envOr("TRACFLOW_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8 (env TRACFLOW_TRUSTED_PROXIES); from other peers the header is ignored")
	maxNodeRuns := fs.String("max-node-runs", envOr("TRACFLOW_MAX_NODE_RUNS", strconv.Itoa(workflow.DefaultMaxNodeRuns)), "most node runs the flows of one event may make; past it the run stops with an error (env TRACFLOW_MAX_NODE_RUNS)")
	maxFlowBytes := fs.String("max-flow-bytes", envOr("TRACFLOW_MAX_FLOW_BYTES", "16MiB"), "most payload data one flow run may create; past it the run stops with an error (env TRACFLOW_MAX_FLOW_BYTES)")
	retain := retentionFlags(fs)
	pprofAddr := fs.String("pprof", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: tracflow serve [flags]")
		fs.PrintDefaults()
	}
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	limit, err := parseSize(*maxBody)
	if err != nil {
		return usagef("--max-body: %v", err)
	}
	proxies, err := api.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %v", err)
	}
	flowLimits, err := parseFlowLimits(*maxNodeRuns, *maxFlowBytes)
	if err != nil {
		return err
	}
	policy, err := retain()
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level: say debug, info, warn or error, not %q", *logLevel)
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})
	case "json":
		handler = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level})
	default:
		return usagef("--log-format: say text or json, not %q", *logFormat)
	}
	log := slog.New(handler)

	if os.Getenv("GOGC") == "" {
		// The collector allocates many short-lived maps per event; collecting
		// garbage less often costs memory (of which a server has plenty) and
		// saves CPU. GOGC in the environment overrides it.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *db == "" {
		if err := os.MkdirAll(*data, 0o700); err != nil {
			return fmt.Errorf("data folder %s: %w", *data, err)
		}
	}
	st, err := open.Open(ctx, *db, *data)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()

	reg, rep := Registry()
	for _, x := range rep.Error {
		log.Warn("plugin not installed", "module", x.Module, "reason", x.Reason)
	}
	cat := catalog.New(st, reg, log)
	if err := cat.Start(ctx); err != nil {
		return fmt.Errorf("loading the configuration: %w", err)
	}
	defer cat.Close()
	// Install the plugins into storage on every start, so the palette
	// matches this binary (settings are kept).
	if _, err := cat.InstallPlugins(ctx, actions.Installed()); err != nil {
		return fmt.Errorf("installing plugins: %w", err)
	}
	backend, dbFile := open.Classify(*db, *data)
	embedded := backend == open.SQLite
	res, err := openResources(ctx, st, embedded, *data, log)
	if err != nil {
		return err
	}
	var tracker *tracking.Tracker
	forget := func(id string) { tracker.Forget(id) } // runs only once the queue works
	bg, err := startBackground(ctx, st, res, *db, *data, policy, forget, log)
	if err != nil {
		return err
	}
	defer bg.close(log)
	tracker = tracking.New(st, cat, tracking.Options{CacheProfiles: embedded, Log: log, Resources: res.ForRuns(false), FlowLimits: flowLimits,
		Committed: bg.dest.Notify})
	srv := api.New(st, cat, tracker, api.Options{MaxBody: limit, MaxEvents: *maxEvents, TokenTTL: *tokenTTL, Log: log, Static: staticHandler(), TrackerDir: *trackerDir, Resources: res, MetricsToken: *metricsToken, FlowLimits: flowLimits,
		TrustedProxies: proxies, Jobs: bg.q, Destinations: bg.dest})
	// Not ctx: a signal stops the queue gracefully, in bg.close.
	if err := bg.q.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}

	first, err := bootstrap.FirstStart(ctx, st, cat, srv.Auth(), os.Getenv("TRACFLOW_ADMIN_EMAIL"), os.Getenv("TRACFLOW_ADMIN_PASSWORD"), !*noDemo)
	if err != nil {
		return err
	}

	if *pprofAddr != "" {
		go func() {
			log.Info("profiler listening", "url", "http://"+*pprofAddr+"/debug/pprof/")
			if err := http.ListenAndServe(*pprofAddr, pprofMux()); err != nil {
				log.Error("profiler", "err", err)
			}
		}()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	metricsURL := ""
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second}
		go func() {
			if err := ms.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "err", err)
			}
		}()
		defer ms.Close()
		metricsURL = "http://" + mln.Addr().String() + "/metrics"
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
		e.printWelcome(base, first)
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
			return err
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
		fmt.Fprintf(w, "  curl -s %s/track -H 'content-type: application/json' -d '{\"source\":{\"id\":\"%s\"},\"events\":[{\"type\":\"page-view\",\"properties\":{\"url\":\"https://example.com/\"}}]}'\n",
			base, bootstrap.DemoSourceID)
	}
	fmt.Fprintln(w)
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

// parseFlowLimits reads --max-node-runs and --max-flow-bytes.
func parseFlowLimits(runs, size string) (workflow.Limits, error) {
	n, err := strconv.Atoi(strings.TrimSpace(runs))
	if err != nil || n <= 0 {
		return workflow.Limits{}, usagef("--max-node-runs: expected a whole number above 0, got %q", runs)
	}
	b, err := parseSize(size)
	if err != nil {
		return workflow.Limits{}, usagef("--max-flow-bytes: %v", err)
	}
	return workflow.Limits{MaxNodeRuns: n, MaxPayloadBytes: b}, nil
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
