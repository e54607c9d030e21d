// The app of the traffic suite, in place of podinfo (no registry is reachable here): it answers every
// request with its colour and version (x-zdp-color / x-zdp-version headers and a JSON body, as the
// release CLI expects), is ready on /readyz, and on SIGTERM finishes in-flight requests and stops, as a
// well-behaved server does. A version ending in "-errors" answers 500 to everything but /readyz once it
// has served 50 requests: a release that passes its readiness probe and its preview check, then fails
// its users under live load. A version ending in "-slowstart" listens only 5 s after it starts, as an
// app that loads a cache or runs migrations first: the readiness probe is what keeps traffic away.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	color, version := os.Getenv("ZDP_COLOR"), os.Getenv("ZDP_VERSION")
	failing := strings.HasSuffix(version, "-errors")
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("x-zdp-color", color)
		w.Header().Set("x-zdp-version", version)
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("x-zdp-color", color)
		w.Header().Set("x-zdp-version", version)
		w.Header().Set("content-type", "application/json")
		if failing && served.Add(1) > 50 {
			w.WriteHeader(http.StatusInternalServerError)
		}
		json.NewEncoder(w).Encode(map[string]string{"color": color, "version": version})
	})
	// Keep-alive above the proxy's idle timeout, so the proxy closes idle connections, never the app.
	srv := &http.Server{Addr: ":9898", Handler: mux, IdleTimeout: 620 * time.Second, ReadHeaderTimeout: 10 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		// Stop accepting, let in-flight requests finish: kubelet's grace period bounds the wait.
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if strings.HasSuffix(version, "-slowstart") {
		time.Sleep(5 * time.Second)
	}
	log.Printf("app %s %s listening on :9898", color, version)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
