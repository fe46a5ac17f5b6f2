package connectors

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is what the SMTP stand-in received.
type received struct {
	user, pass string
	from       string
	to         []string
	data       string
}

// smtpStandIn is a local SMTP server (go-smtp) that takes PLAIN logins
// with user/pass and records every message.
type smtpStandIn struct {
	addr      string
	user      string
	pass      string
	mu        sync.Mutex
	received  []received
	authFails int
}

func startSMTP(t *testing.T, user, pass string) *smtpStandIn {
	t.Helper()
	s := &smtpStandIn{user: user, pass: pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *smtpStandIn) mails() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *smtpStandIn) port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

type smtpSession struct {
	srv *smtpStandIn
	m   received
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.srv.user || pass != x.srv.pass {
			x.srv.mu.Lock()
			x.srv.authFails++
			x.srv.mu.Unlock()
			return errors.New("invalid credentials")
		}
		x.m.user, x.m.pass = user, pass
		return nil
	}), nil
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.srv.user != "" && x.m.user == "" {
		return smtp.ErrAuthRequired
	}
	x.m.from = from
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.m.to = append(x.m.to, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.m.data = string(b)
	x.srv.mu.Lock()
	x.srv.received = append(x.srv.received, x.m)
	x.srv.mu.Unlock()
	return nil
}

func (x *smtpSession) Reset()        { x.m = received{user: x.m.user, pass: x.m.pass} }
func (x *smtpSession) Logout() error { return nil }
