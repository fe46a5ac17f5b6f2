// Command tracflow-plugin-service serves the example remote plugins over
// HTTP. It prints the address it listens on ("listening on http://...")
// once it accepts calls.
//
//	TRACFLOW_PLUGIN_TOKEN=secret tracflow-plugin-service -addr 127.0.0.1:8686
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tracflow/tracflow/examples/remoteplugin"
	"github.com/tracflow/tracflow/plugin/remote"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8686", "address to listen on (port 0: any free port)")
	flag.Parse()
	h, err := remote.NewHandler(remoteplugin.Installed(), remote.HandlerOptions{Token: os.Getenv("TRACFLOW_PLUGIN_TOKEN")})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
