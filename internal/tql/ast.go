package tql

import (
	"time"

	"github.com/tracflow/tracflow/internal/notation"
)

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{opEq: "==", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

type nodeKind uint8

const (
	nOr nodeKind = iota
	nAnd
	nNot
	nCmp
	nBetween
	nIsNull   // neg: IS NOT NULL
	nExists   // neg: NOT EXISTS
	nEmpty    // neg: NOT EMPTY
	nContains // a CONTAINS b
	nStarts   // a STARTS WITH b
	nEnds     // a ENDS WITH b
)

// node is one part of a compiled condition. A concrete struct (not an
// interface) keeps evaluation free of allocations.
type node struct {
	kind nodeKind
	op   cmpOp
	neg  bool
	kids []*node  // nOr, nAnd, nNot
	a    *operand // left operand
	b, c *operand // right operand; BETWEEN bounds
}

type opKind uint8

const (
	oLit opKind = iota
	oField
	oList
	oCall
)

// operand is a value in a condition: a literal, a field, a list of literals
// or a function call.
type operand struct {
	kind opKind
	lit  any // literal value; []any for oList
	ref  notation.Ref
	call *call
}

type call struct {
	fn   fnID
	args []*operand
	// Values prepared when arguments are literals.
	loc    *time.Location
	offset time.Duration
	hasOff bool
}
