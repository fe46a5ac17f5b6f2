// Package list holds Tracardi's list plugins: the key of the greatest or
// least value of an object ("Data Analysis") and operations on two sets
// ("Data processing").
package list

const tracardi = "tracardi.process_engine.action.v1."
