module github.com/graph-emulator/graph-emulator

go 1.26.8

require (
	github.com/google/uuid v1.6.0
	github.com/gorilla/mux v1.8.1
	github.com/tidwall/gjson v1.20.1
	go.etcd.io/bbolt v1.5.0
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
