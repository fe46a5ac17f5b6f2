package databases

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// mongoStandIn is a small MongoDB server speaking the wire protocol
// (OP_QUERY for the driver's first handshake, OP_MSG after): enough of
// hello, ping, find and endSessions for the connector's tests, over
// collections kept in memory. Debian ships no MongoDB server. Finds match
// top-level fields by equality; a login (saslStart) is always refused, as
// a server refuses a wrong password.
type mongoStandIn struct {
	addr string
	ln   net.Listener
	mu   sync.Mutex
	data map[string][]bson.D // "db.collection" → documents
	cmds []bson.D            // the commands received, handshakes excluded
	slow time.Duration       // how long a find takes
}

func startMongo(t *testing.T) *mongoStandIn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mongoStandIn{addr: ln.Addr().String(), ln: ln, data: map[string][]bson.D{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return s
}

const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013
)

func (s *mongoStandIn) serve(c net.Conn) {
	defer c.Close()
	var reqID int32
	for {
		var hdr [16]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		size := int32(binary.LittleEndian.Uint32(hdr[0:]))
		id := int32(binary.LittleEndian.Uint32(hdr[4:]))
		op := int32(binary.LittleEndian.Uint32(hdr[12:]))
		if size < 16 || size > 48<<20 {
			return
		}
		body := make([]byte, size-16)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		var cmd bson.D
		switch op {
		case opQuery: // flags, collection name, skip, return, query
			i := 4 + bytes.IndexByte(body[4:], 0) + 1 + 8
			if err := bson.Unmarshal(body[i:], &cmd); err != nil {
				return
			}
		case opMsg: // flags, then a kind-0 section with the command
			if body[4] != 0 {
				return
			}
			if err := bson.Unmarshal(body[5:], &cmd); err != nil {
				return
			}
		default:
			return
		}
		reply, err := bson.Marshal(s.command(cmd))
		if err != nil {
			return
		}
		reqID++
		var out bytes.Buffer
		w := func(v any) { _ = binary.Write(&out, binary.LittleEndian, v) }
		if op == opQuery {
			w(int32(16 + 20 + len(reply)))
			w(reqID)
			w(id)
			w(int32(opReply))
			w(int32(0)) // flags
			w(int64(0)) // cursor id
			w(int32(0)) // starting from
			w(int32(1)) // documents returned
		} else {
			w(int32(16 + 5 + len(reply)))
			w(reqID)
			w(id)
			w(int32(opMsg))
			w(uint32(0))
			out.WriteByte(0)
		}
		out.Write(reply)
		if _, err := c.Write(out.Bytes()); err != nil {
			return
		}
	}
}

func (s *mongoStandIn) command(cmd bson.D) bson.D {
	if len(cmd) == 0 {
		return bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "empty command"}}
	}
	name := cmd[0].Key
	switch name {
	case "hello", "isMaster", "ismaster":
		return bson.D{{Key: "ok", Value: 1.0}, {Key: "isWritablePrimary", Value: true}, {Key: "ismaster", Value: true},
			{Key: "maxWireVersion", Value: int32(21)}, {Key: "minWireVersion", Value: int32(0)},
			{Key: "maxBsonObjectSize", Value: int32(16 << 20)}, {Key: "maxMessageSizeBytes", Value: int32(48 << 20)},
			{Key: "maxWriteBatchSize", Value: int32(100000)}, {Key: "localTime", Value: bson.NewDateTimeFromTime(time.Now())},
			{Key: "logicalSessionTimeoutMinutes", Value: int32(30)}, {Key: "connectionId", Value: int32(1)}}
	}
	s.mu.Lock()
	s.cmds = append(s.cmds, cmd)
	slow := s.slow
	s.mu.Unlock()
	m := dmap(cmd)
	switch name {
	case "ping", "endSessions", "killCursors":
		return bson.D{{Key: "ok", Value: 1.0}}
	case "saslStart", "authenticate":
		return bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "Authentication failed."}, {Key: "code", Value: int32(18)}, {Key: "codeName", Value: "AuthenticationFailed"}}
	case "find":
		time.Sleep(slow)
		db, _ := m["$db"].(string)
		coll, _ := m["find"].(string)
		filter, _ := m["filter"].(bson.D)
		limit, _ := m["limit"].(int64)
		s.mu.Lock()
		docs := []any{}
		for _, d := range s.data[db+"."+coll] {
			if matches(d, filter) && (limit == 0 || int64(len(docs)) < limit) {
				docs = append(docs, d)
			}
		}
		s.mu.Unlock()
		return bson.D{{Key: "cursor", Value: bson.D{{Key: "firstBatch", Value: docs}, {Key: "id", Value: int64(0)}, {Key: "ns", Value: db + "." + coll}}},
			{Key: "ok", Value: 1.0}}
	}
	return bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "no such command: '" + name + "'"}, {Key: "code", Value: int32(59)}, {Key: "codeName", Value: "CommandNotFound"}}
}

// matches compares a document's top-level fields with the filter's, by
// their BSON encoding.
func matches(doc, filter bson.D) bool {
	fields := dmap(doc)
	for _, f := range filter {
		v, ok := fields[f.Key]
		if !ok {
			return false
		}
		a, err1 := bson.Marshal(bson.D{{Key: "v", Value: v}})
		b, err2 := bson.Marshal(bson.D{{Key: "v", Value: f.Value}})
		if errors.Join(err1, err2) != nil || !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

func (s *mongoStandIn) commands(name string) []bson.D {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bson.D
	for _, c := range s.cmds {
		if c[0].Key == name {
			out = append(out, c)
		}
	}
	return out
}

// dmap returns a document's top-level fields by name.
func dmap(d bson.D) map[string]any {
	m := make(map[string]any, len(d))
	for _, e := range d {
		m[e.Key] = e.Value
	}
	return m
}
