package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/spool"
	"github.com/tracflow/tracflow/internal/store/open"
)

// The delivery process: serve starts `tracflow deliver` beside itself, at a
// lower CPU priority, to store and work the destinations' deliveries.
// Storing thousands of deliveries a second, sending them and logging their
// outcomes takes CPU; in a process of its own the kernel gives /track's
// requests the processor first, so that their latency does not depend on
// destinations (see docs/server.md#the-delivery-process).
//
// The two talk over pipes. serve writes frames to the child's stdin: a
// byte for the kind, the payload's length (4 bytes, big-endian), the
// payload. 'S' is the destinations and their credentials (a
// destinations.Snapshot, as JSON), sent at start and whenever they change;
// 'B' a batch of matched deliveries (destinations.Service.Forward) after
// its sequence number (8 bytes, big-endian), which the child stores in the
// queue. serve first writes each batch to the backlog (a folder in the data
// folder, see handOver), and removes it from there when the child says it
// stored it: a batch survives the end of either process, waits on disk
// while the child is behind or not running, and is handed to the next child
// when one ends first (a batch stored twice is harmless: the delivery log's
// key makes it the same deliveries).
// The child answers on its stdout, a line per stored batch, per job attempt
// and per delivery (serve counts the last two in its metrics):
//
//	a SEQUENCE
//	j KIND MICROSECONDS ok|failed
//	d STATUS MICROSECONDS
//
// The child shares the server's job queue (its database); its logs go to
// the server's stderr. It stops, storing what it was handed and letting
// running jobs finish, when its stdin closes: when serve stops, or dies.

// Frame kinds.
const (
	frameSnapshot = 'S'
	frameBatch    = 'B'
)

// maxFrame bounds a frame's payload.
const maxFrame = 256 << 20

// writeFrame writes a frame whose payload is the parts, one after another.
func writeFrame(w io.Writer, kind byte, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var h [5]byte
	h[0] = kind
	binary.BigEndian.PutUint32(h[1:], uint32(n))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// writeFrameFrom writes a frame whose payload is head and then size bytes
// of r, copied through buf.
func writeFrameFrom(w io.Writer, kind byte, head []byte, r io.Reader, size int64, buf []byte) error {
	n := int64(len(head)) + size
	if n > maxFrame {
		return fmt.Errorf("a frame of %d bytes (at most %d)", n, maxFrame)
	}
	var h [5]byte
	h[0] = kind
	binary.BigEndian.PutUint32(h[1:], uint32(n))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	// The frame's length is written: a file cut short (short of a disk
	// error it cannot be) ends the stream, and the child with it.
	copied, err := io.CopyBuffer(w, io.LimitReader(r, size), buf)
	if err == nil && copied < size {
		err = fmt.Errorf("a batch of %d bytes ended after %d", size, copied)
	}
	return err
}

// readFrame reads one frame; io.EOF at a frame's boundary ends the stream.
func readFrame(r io.Reader) (kind byte, payload []byte, err error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("the stream ended inside a frame's header")
		}
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("a frame of %d bytes (at most %d)", n, maxFrame)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, fmt.Errorf("the stream ended inside a frame of %d bytes: %w", n, err)
	}
	return h[0], payload, nil
}

func deliverCommand() *command {
	return &command{
		name:  "deliver",
		usage: "[flags]",
		short: "work destination deliveries for a server (serve starts it)",
		long: `Stores and works the destinations' deliveries of the server whose database
--db and --data name (by default TRACFLOW_DB and TRACFLOW_DATA, which serve
sets), at a lower CPU priority. serve starts it as a child process (see
serve's --delivery-process) and tells it the destinations and the deliveries
to store on its standard input; it is not run by hand. It stops when its
standard input closes.`,
		flags: func(fs *flag.FlagSet) runFunc {
			var s deliverSettings
			data := os.Getenv(envName("data"))
			if data == "" {
				data = "./data"
			}
			fs.StringVar(&s.data, "data", data, "the server's data folder")
			fs.StringVar(&s.db, "db", os.Getenv(envName("db")), "the server's database (as serve's --db)")
			fs.StringVar(&s.logFormat, "log-format", "text", "log format: text or json")
			fs.StringVar(&s.logLevel, "log-level", "info", "least severe log level written")
			fs.IntVar(&s.nice, "nice", 0, "lower this process's CPU priority by this much (0 to 19)")
			fs.BoolVar(&s.idle, "idle", false, "on Linux, run this process's threads in the idle scheduling class (SCHED_IDLE): they get a processor only when no other process wants it")
			fs.IntVar(&s.workers, "workers", 8, "delivery jobs worked at once")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("deliver: unexpected argument %q", args[0])
				}
				return e.deliver(&s)
			}
		},
	}
}

type deliverSettings struct {
	data, db            string
	logFormat, logLevel string
	nice, workers       int
	idle                bool
}

func (e *env) deliver(s *deliverSettings) error {
	log, _, err := newLogger(e.stderr, s.logFormat, s.logLevel)
	if err != nil {
		return err
	}
	log = log.With("process", "deliver")
	if s.nice < 0 || s.nice > 19 {
		return usagef("--nice: say 0 to 19, not %d", s.nice)
	}
	s.idle = lower(lowerPriority, s.nice, s.idle, log)
	// Half the processors at most (one at least), unless GOMAXPROCS says:
	// however busy the deliveries, the others are the server's without
	// waiting for the kernel to preempt this process.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(1, runtime.GOMAXPROCS(0)/2))
	}
	log.Info("the delivery process started", "nice", s.nice, "idle", s.idle, "processors", runtime.GOMAXPROCS(0))
	// serve stops it by closing stdin; a terminal's ^C or a TERM meant for
	// serve must not cut the deliveries in flight short.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
	ctx := context.Background()

	mirror := destinations.NewMirror()
	dest := destinations.New(mirror, mirror, log)
	q, err := jobs.Open(ctx, s.db, s.data, jobs.Options{Kinds: dest.JobKinds(), Queues: []string{destinations.JobQueue},
		Follower: true, Workers: s.workers, Log: log})
	if err != nil {
		return fmt.Errorf("opening the job queue: %w", err)
	}
	rep := newReporter(e.stdout)
	defer rep.close()
	q.Observe(rep.job)
	dest.Observe = rep.delivery
	if err := dest.Init(ctx, q); err != nil {
		q.Close(ctx)
		return fmt.Errorf("destinations: %w", err)
	}

	in := bufio.NewReaderSize(e.stdin, 64<<10)
	started := false
	for {
		kind, payload, err := readFrame(in)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				log.Error("reading from the server", "err", err)
			}
			break
		}
		switch kind {
		case frameSnapshot:
			var sn destinations.Snapshot
			if err := json.Unmarshal(payload, &sn); err != nil {
				log.Error("reading the destinations from the server", "err", err)
				continue
			}
			mirror.Set(sn)
			if err := dest.Reload(ctx); err != nil {
				log.Error("destinations: reload", "err", err)
			}
			// Jobs are worked once the destinations are known: before,
			// every job's destination would look deleted.
			if !started {
				if err := q.Start(ctx); err != nil {
					q.Close(ctx)
					return err
				}
				started = true
			}
		case frameBatch:
			if len(payload) < 8 {
				log.Error("reading from the server: a batch without its sequence number")
				continue
			}
			if dest.StoreBatch(payload[8:]) {
				rep.stored(binary.BigEndian.Uint64(payload))
			}
		default:
			log.Error("reading from the server: a frame of an unknown kind", "kind", kind)
		}
	}
	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return q.Close(stopCtx)
}

// lower lowers this process's priority with set (lowerPriority) and
// answers whether it is in the idle class. Where the class cannot be had (a
// kernel or sandbox without it), the nice value applies alone.
func lower(set func(nice int, idle bool) error, nice int, idle bool, log *slog.Logger) bool {
	if nice == 0 && !idle {
		return false
	}
	err := set(nice, idle)
	if err != nil && idle {
		log.Warn("could not put the delivery process in the idle scheduling class; it runs at its nice value alone", "err", err)
		idle = false
		err = set(nice, false)
	}
	if err != nil {
		log.Warn("could not lower the delivery process's priority", "err", err)
	}
	return idle
}

// reporter writes the child's attempt lines, buffered, flushed a few times
// a second.
type reporter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newReporter(w io.Writer) *reporter {
	r := &reporter{w: bufio.NewWriter(w), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.flush()
			case <-r.stop:
				r.flush()
				return
			}
		}
	}()
	return r
}

func (r *reporter) flush() {
	r.mu.Lock()
	// A failure means serve is gone: its end closes stdin too, which stops
	// this process.
	_ = r.w.Flush()
	r.mu.Unlock()
}

func (r *reporter) close() {
	close(r.stop)
	<-r.done
}

// line writes one line of the reports.
func (r *reporter) line(format string, args ...any) {
	r.mu.Lock()
	fmt.Fprintf(r.w, format, args...)
	r.mu.Unlock()
}

func (r *reporter) stored(seq uint64) { r.line("a %d\n", seq) }

func (r *reporter) job(kind string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	r.line("j %s %d %s\n", kind, d.Microseconds(), outcome)
}

func (r *reporter) delivery(status string, d time.Duration) {
	r.line("d %s %d\n", status, d.Microseconds())
}

// errAttemptFailed stands for a failed attempt the delivery process
// reported (the metrics count failures, not their errors).
var errAttemptFailed = errors.New("failed")

// readReports counts the attempts a delivery process reports in the
// server's metrics.
func readReports(r io.Reader, c *childConn, q *jobs.Queue, dest *destinations.Service, log *slog.Logger) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "a" {
			if seq, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				c.stored(seq)
			}
			continue
		}
		if len(f) < 3 {
			continue
		}
		us, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		d := time.Duration(us) * time.Microsecond
		switch {
		case f[0] == "j" && len(f) == 4:
			var err error
			if f[3] != "ok" {
				err = errAttemptFailed
			}
			q.Report(f[1], d, err)
		case f[0] == "d":
			if dest.Observe != nil {
				dest.Observe(f[1], d)
			}
		}
	}
	if err := sc.Err(); err != nil {
		log.Warn("reading the delivery process's reports", "err", err)
	}
}

// deliveryProcess runs and watches serve's delivery process, starting it
// again (after a growing pause) when it ends unasked.
type deliveryProcess struct {
	exe  string // the file started
	name string // its name in the process list
	args []string
	env  []string
	dest *destinations.Service
	q    *jobs.Queue
	log  *slog.Logger
	errw io.Writer // the child's stderr

	cur atomic.Pointer[childConn] // the running child's
	// backlog holds the batches the child could not take at once; nil
	// when its folder could not be opened (the server stores those).
	backlog *spool.Spool
	more    chan struct{} // the backlog has a new batch
	// warnAt is the backlog's size in bytes that is worth a warning next:
	// warnFrom, doubling each time, and warnFrom again once it is empty.
	warnFrom, warnAt int64
	kick             chan struct{} // the destinations changed
	wanted           chan struct{} // closed once the child is needed
	want             sync.Once
	stop             chan struct{}
	done             chan struct{}
}

// need starts the child, if it is not running yet: a server without
// destinations does without it.
func (p *deliveryProcess) need() { p.want.Do(func() { close(p.wanted) }) }

// childConn is the way to one run of the child: batches wait in a queue of
// a few for its stdin's writer, and are kept until the child says they are
// stored.
type childConn struct {
	mu      sync.Mutex
	shut    chan struct{} // closed by close: no more batches
	closed  bool
	batches chan batch
	snaps   chan []byte
	written chan struct{} // closed when the writer is done
	// fromBacklog is told of each batch from the backlog the child stored.
	fromBacklog func(id uint64)

	seq    uint64
	handed []handed // in order of seq
}

// newChildConn makes a conn whose writer takes up to queue batches ahead;
// fromBacklog may be nil without a backlog.
func newChildConn(queue int, fromBacklog func(uint64)) *childConn {
	return &childConn{shut: make(chan struct{}), batches: make(chan batch, queue), snaps: make(chan []byte, 1), written: make(chan struct{}),
		fromBacklog: fromBacklog}
}

// batch is a batch of deliveries for the child: its bytes, or its id in
// the backlog (whose file the writer copies to the child).
type batch struct {
	b       []byte
	backlog uint64
}

// handed is a batch handed to the child, not yet stored by it.
type handed struct {
	seq uint64
	batch
}

// hand numbers a batch the writer is about to write and keeps it.
func (c *childConn) hand(b batch) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.handed = append(c.handed, handed{c.seq, b})
	return c.seq
}

// stored forgets the batches up to seq: the child stored them.
func (c *childConn) stored(seq uint64) {
	c.mu.Lock()
	var done []uint64
	i := 0
	for i < len(c.handed) && c.handed[i].seq <= seq {
		if id := c.handed[i].backlog; id != 0 {
			done = append(done, id)
		}
		c.handed[i] = handed{}
		i++
	}
	c.handed = c.handed[i:]
	c.mu.Unlock()
	for _, id := range done {
		c.fromBacklog(id)
	}
}

// unstored answers the batches handed over directly that the child did
// not say it stored (those from the backlog wait there for the next child).
func (c *childConn) unstored() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][]byte
	for _, h := range c.handed {
		if h.backlog == 0 {
			out = append(out, h.b)
		}
	}
	c.handed = nil
	return out
}

// offer hands a batch to the child's writer; false when it is shut or
// behind.
func (c *childConn) offer(b []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	select {
	case c.batches <- batch{b: bytes.Clone(b)}:
		return true
	default:
		return false
	}
}

// offerWait hands a batch from the backlog to the child's writer, waiting
// for room; false when the conn was closed first. (One that goes in as the
// conn closes is not lost: it stays in the backlog until a child stores
// it.)
func (c *childConn) offerWait(b batch) bool {
	select {
	case c.batches <- b:
		return true
	case <-c.shut:
		return false
	}
}

// close takes no more batches; the writer hands over those waiting, then
// closes the child's stdin.
func (c *childConn) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.shut)
	}
	c.mu.Unlock()
}

// startDeliveryProcess starts the delivery process of a server with the
// database dsn and data folder data, once there are destinations or
// deliveries waiting.
func startDeliveryProcess(ctx context.Context, dsn, data, logFormat, logLevel string, nice int, idle bool, dest *destinations.Service, q *jobs.Queue,
	log *slog.Logger, stderr io.Writer) (*deliveryProcess, error) {
	exe, err := selfExe()
	if err != nil {
		return nil, fmt.Errorf("the delivery process: finding this program: %w", err)
	}
	name, err := os.Executable() // what the process list shows
	if err != nil {
		name = exe
	}
	var backlog *spool.Spool
	if dir, ok := backlogFolder(dsn, data); ok {
		if backlog, err = spool.Open(dir); err != nil {
			log.Error("destinations: the backlog folder cannot be used; batches the delivery process cannot take at once are stored by this process", "err", err)
		}
	}
	p := &deliveryProcess{exe: exe, name: name, dest: dest, q: q, log: log, errw: stderr, backlog: backlog, more: make(chan struct{}, 1), warnFrom: backlogWarning,
		args: []string{"deliver", "--log-format", logFormat, "--log-level", logLevel, "--nice", strconv.Itoa(nice), "--idle=" + strconv.FormatBool(idle)},
		// The database's address goes by the environment: a PostgreSQL
		// URL's password would show in the process list.
		env:  append(os.Environ(), envName("db")+"="+dsn, envName("data")+"="+data),
		kick: make(chan struct{}, 1), wanted: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	dest.OnReload(func() {
		if dest.Active() {
			p.need()
		}
		select {
		case p.kick <- struct{}{}:
		default:
		}
	})
	dest.Forward(p.handOver)
	dest.SetBacklog(p.backlogLen)
	waiting, err := q.Waiting(ctx, destinations.JobQueue)
	if err != nil {
		if backlog != nil {
			backlog.Close()
		}
		return nil, err
	}
	if n, _ := p.backlogLen(); waiting || n > 0 || dest.Active() {
		p.need()
	}
	go p.run()
	return p, nil
}

// run keeps the child running until close.
func (p *deliveryProcess) run() {
	defer close(p.done)
	select {
	case <-p.wanted:
	case <-p.stop:
		return
	}
	pause := time.Second
	for {
		began := time.Now()
		err := p.once()
		select {
		case <-p.stop:
			return
		default:
		}
		if time.Since(began) > time.Minute {
			pause = time.Second
		}
		p.log.Error("the delivery process ended; starting it again", "err", err, "after", pause)
		select {
		case <-time.After(pause):
		case <-p.stop:
			return
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// once runs the child until it ends, or until close (then it is given
// 25 s to store what it was handed and finish its running jobs).
func (p *deliveryProcess) once() error {
	cmd := exec.Command(p.exe, p.args...)
	cmd.Args[0] = p.name
	cmd.Env = p.env
	cmd.Stderr = p.errw
	cmd.SysProcAttr = childAttr()
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.log.Debug("the delivery process started", "pid", cmd.Process.Pid)
	// From the backlog, the writer takes a batch at a time: the others
	// wait on disk, not in memory.
	queue := 1
	if p.backlog == nil {
		queue = 64
	}
	c := newChildConn(queue, p.done1)
	reports := make(chan struct{})
	go func() { defer close(reports); readReports(out, c, p.q, p.dest, p.log) }()
	exited := make(chan error, 1)
	go func() {
		<-reports
		err := cmd.Wait()
		// What the child was handed and did not store, this process stores.
		c.close()
		<-c.written
		for _, b := range c.unstored() {
			p.dest.StoreBatch(b)
		}
		exited <- err
	}()
	go p.write(c, in)
	if p.backlog != nil {
		go p.feed(c)
	}
	send := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sn, err := p.dest.Snapshot(ctx)
		if err == nil {
			var b []byte
			if b, err = json.Marshal(sn); err == nil {
				select { // the latest replaces one not written yet
				case <-c.snaps:
				default:
				}
				c.snaps <- b
			}
		}
		if err != nil {
			p.log.Error("reading the destinations for the delivery process", "err", err)
		}
	}
	send()
	p.cur.Store(c)
	defer p.cur.CompareAndSwap(c, nil)
	// Credentials may change without the destinations: sent again now and
	// then.
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-p.kick:
			send()
		case <-tick.C:
			send()
		case err := <-exited:
			if err == nil {
				err = errors.New("it exited")
			}
			return err
		case <-p.stop:
			c.close()
			select {
			case err := <-exited:
				return err
			case <-time.After(25 * time.Second):
				p.log.Warn("the delivery process did not stop in time; killing it")
				_ = cmd.Process.Kill()
				return <-exited
			}
		}
	}
}

// write writes the frames to the child's stdin until the conn is closed,
// then hands over the batches waiting and closes it. A batch is kept from
// before it is written (one cut off in the middle is dropped by the child)
// until the child says it stored it.
func (p *deliveryProcess) write(c *childConn, in io.WriteCloser) {
	defer close(c.written)
	defer in.Close()
	var werr error
	var buf []byte // for copying backlog files
	send := func(b batch) {
		if werr != nil {
			return
		}
		if b.backlog == 0 {
			werr = writeFrame(in, frameBatch, binary.BigEndian.AppendUint64(nil, c.hand(b)), b.b)
		} else {
			f, size, err := p.backlog.Open(b.backlog)
			if err != nil {
				p.log.Error("destinations: reading a batch from the backlog; it is skipped", "err", err)
				if errors.Is(err, os.ErrNotExist) {
					_ = p.backlog.Remove(b.backlog)
				}
				return
			}
			if buf == nil {
				buf = make([]byte, 64<<10)
			}
			werr = writeFrameFrom(in, frameBatch, binary.BigEndian.AppendUint64(nil, c.hand(b)), f, size, buf)
			f.Close()
		}
		if werr != nil {
			c.close() // the child is gone: the rest are kept for storing
		}
	}
	for {
		select {
		case sn := <-c.snaps:
			if werr == nil {
				werr = writeFrame(in, frameSnapshot, sn)
			}
			if werr != nil {
				c.close()
			}
		case b := <-c.batches:
			send(b)
		case <-c.shut:
			for {
				select {
				case b := <-c.batches:
					send(b)
				default:
					return
				}
			}
		}
	}
}

// handOver is the server's side of Forward. A batch goes to the backlog, a
// folder on disk where batches wait, in order, until a child says it stored
// them in the queue (feed hands them over): written there, it survives the
// end of both processes, and the server never waits for the child nor
// stores the batch itself when the child is behind or not running, which
// would cost it far more, on the cores its /track requests need. Without a
// backlog (or when it cannot take the batch), the batch goes to a running
// child that keeps up, and false (the server stores it) otherwise.
func (p *deliveryProcess) handOver(b []byte) bool {
	if p.backlog != nil {
		_, err := p.backlog.Push(b)
		if err == nil {
			p.fed()
			p.sizeWarning()
			return true
		}
		p.log.Error("destinations: a batch of deliveries could not be written to the backlog", "err", err)
	}
	c := p.cur.Load()
	return c != nil && c.offer(b)
}

// backlogWarning is the size of the backlog first worth a warning.
const backlogWarning = 256 << 20

// sizeWarning warns when the backlog passed warnAt, and then at twice that:
// the delivery process is behind for long (or cannot run), and the folder
// grows until it catches up. (Only handOver calls it.)
func (p *deliveryProcess) sizeWarning() {
	n, bytes := p.backlog.Len()
	switch {
	case p.warnAt == 0 || n <= 1:
		p.warnAt = p.warnFrom
	case bytes >= p.warnAt:
		p.log.Warn("destinations: the delivery process is behind; deliveries wait in the backlog",
			"batches", n, "megabytes", bytes>>20, "folder", p.backlog.Dir())
		for p.warnAt <= bytes {
			p.warnAt *= 2
		}
	}
}

// fed wakes the feeder: the backlog has a new batch.
func (p *deliveryProcess) fed() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// done1 removes a batch from the backlog: the child stored it.
func (p *deliveryProcess) done1(id uint64) {
	if err := p.backlog.Remove(id); err != nil {
		p.log.Error("destinations: removing a stored batch from the backlog (it will be stored again)", "err", err)
	}
}

// feed hands the backlog's batches, oldest first, to a child until its conn
// closes; the child's acknowledgement removes each (done1).
func (p *deliveryProcess) feed(c *childConn) {
	var after uint64
	for {
		id, ok := p.backlog.Next(after)
		if !ok {
			select {
			case <-p.more:
				continue
			case <-c.shut:
				return
			}
		}
		if !c.offerWait(batch{backlog: id}) {
			return
		}
		after = id
	}
}

// drain stops handing batches to the child: those waiting are handed over
// or stored. The queue must stay open until it returns.
func (p *deliveryProcess) drain() {
	if c := p.cur.Load(); c != nil {
		c.close()
		<-c.written
	}
}

// close stops the child, letting it store what it was handed and finish
// its running jobs. The backlog's batches wait for the next start.
func (p *deliveryProcess) close() {
	close(p.stop)
	<-p.done
	if p.backlog != nil {
		if n, bytes := p.backlog.Len(); n > 0 {
			p.log.Info("destinations: batches of deliveries wait in the backlog for the next start", "batches", n, "bytes", bytes, "folder", p.backlog.Dir())
		}
		p.backlog.Close()
	}
}

// backlogLen answers the batches waiting in the backlog, and their bytes.
func (p *deliveryProcess) backlogLen() (int, int64) {
	if p.backlog == nil {
		return 0, 0
	}
	return p.backlog.Len()
}

// backlogFolder answers the backlog's folder: with SQLite, beside the
// database's file (tracflow.db: tracflow-deliveries), whose durability it
// shares; with PostgreSQL there is none (false), since an instance's local
// disk may not outlive it: a batch the delivery process cannot take at once
// is stored in the queue by the server, whose writes PostgreSQL does, not
// its process.
func backlogFolder(dsn, data string) (string, bool) {
	b, path := open.Classify(dsn, data)
	if b != open.SQLite {
		return "", false
	}
	return strings.TrimSuffix(path, ".db") + "-deliveries", true
}

// storeBacklog stores, in this process, the batches a server that ran a
// delivery process left in the backlog: for a server that sends its
// deliveries itself (--delivery-process=false).
func storeBacklog(dsn, data string, dest *destinations.Service, log *slog.Logger) {
	dir, ok := backlogFolder(dsn, data)
	if !ok {
		return
	}
	if _, err := os.Stat(dir); err != nil {
		return
	}
	sp, err := spool.Open(dir)
	if err != nil {
		log.Error("destinations: opening the backlog", "err", err)
		return
	}
	defer sp.Close()
	n := 0
	for id, ok := sp.Next(0); ok; id, ok = sp.Next(id) {
		b, err := sp.Read(id)
		if err == nil && dest.StoreBatch(b) {
			err = sp.Remove(id)
			n++
		}
		if err != nil {
			log.Error("destinations: storing a batch from the backlog", "folder", dir, "err", err)
		}
	}
	if n > 0 {
		log.Info("destinations: stored the batches a delivery process had not taken", "batches", n, "folder", dir)
	}
}
