module github.com/tracflow/tracflow

go 1.26.8
