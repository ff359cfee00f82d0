package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ronkms/ronkms/batcher"
	"github.com/ronkms/ronkms/ed25519"
	"github.com/ronkms/ronkms/internal/server"
)

// presetNames lists the names of package ed25519's presets.
func presetNames() string {
	var names []string
	for _, r := range ed25519.Presets() {
		names = append(names, r.String())
	}
	return strings.Join(names, ", ")
}

const (
	defaultServeAddr       = "127.0.0.1:8125"
	defaultShutdownTimeout = 30 * time.Second

	// Timeouts of the http.Server.
	serveReadHeaderTimeout = 10 * time.Second
	serveReadTimeout       = 60 * time.Second
	serveIdleTimeout       = 120 * time.Second
	serveMaxHeaderBytes    = 64 << 10
)

// The example of serve's usage: the Ed25519 key of the seed 00 01 .. 1f,
// the message "hello, ronkms" and its signature, in base64.
const (
	exampleKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
	exampleMsg = "aGVsbG8sIHJvbmttcw=="
	exampleSig = "r6Ue9lT9xSA/6tB63T/wvzWqwD3S8RJ1N2GQPk/LNSvpXWGzBq1BGPPYBQBirgHjuz88sogr68ymyXmyFvJiAA=="
)

func serveUsage(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, `usage: ronkms serve [flags]

Serves Ed25519 signature verification over HTTP until SIGINT or SIGTERM:

  POST /v1/verify        Content-Type: application/json
                         {"key","msg","sig" (base64), "rules" (optional)} -> {"valid": bool}
  POST /v1/verify/batch  Content-Type: application/json
                         {"rules", "items": [{"key","msg","sig"}, ...]} -> {"valid": [...], "all_valid": bool},
                         1 to -max-items items; or Content-Type: %s, the binary form
  GET  /metrics          Prometheus metrics
  GET  /healthz          liveness

"rules" names a preset (`+presetNames()+`) or rules joined by +;
"mode" is its former name. Field names are exact (case-sensitive), each
at most once per object. Every verification goes through the
micro-batcher of its rules (one per rule set served, sharing one set of
metrics).

Errors have a JSON body {"error": "..."}:

  400  bad input: malformed JSON, an unknown, differently cased or repeated
       field, a key or signature of the wrong length (which refuses the
       whole batch, naming the item), an empty batch, too many items
  404  no such path
  405  a method the endpoint does not answer (with Allow)
  413  a body over -max-body
  415  a Content-Type other than the ones above, or none (with Accept)
  503  overloaded, or no verdict within -request-timeout (with Retry-After)

Build the binary, run it, and send the signals to its process:

  go build -o ronkms ./cmd/ronkms
  ./ronkms serve &
  kill -TERM $!

Do not send them to "go run ./cmd/ronkms serve": a SIGTERM sent to the go
command ends it alone and leaves the server running, orphaned, and a
SIGINT sent to it alone is ignored (Ctrl-C in a terminal reaches both).
On SIGINT or SIGTERM the server stops accepting connections, finishes the
requests it accepted (for at most -shutdown-timeout), then exits; a second
signal kills it at once. "ronkms serve: listening on http://ADDR" goes to
stderr once it listens.

Examples (curl -d needs -H 'Content-Type: application/json': without it,
curl sends a form, answered 415):

  K=%s
  M=%s   # "hello, ronkms"
  S=%s
  curl -s -H 'Content-Type: application/json' \
    -d '{"key":"'$K'","msg":"'$M'","sig":"'$S'"}' http://127.0.0.1:8125/v1/verify
  curl -s -H 'Content-Type: application/json' \
    -d '{"rules":"zip215","items":[{"key":"'$K'","msg":"'$M'","sig":"'$S'"}]}' http://127.0.0.1:8125/v1/verify/batch
  curl -s -H 'Content-Type: %s' --data-binary @batch.bin \
    http://127.0.0.1:8125/v1/verify/batch | od -An -tu1   # batch.bin: the binary form

flags:
`, server.ContentTypeBatch, exampleKey, exampleMsg, exampleSig, server.ContentTypeBatch)
		fs.PrintDefaults()
	}
}

// runServe is the serve command: it serves until SIGINT or SIGTERM.
func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal gets the default action: exit at once
	}()
	return serve(ctx, args, stdout, stderr, nil)
}

// serve runs the serve command until ctx ends, then shuts down gracefully.
// If listening is not nil, it is called with the listener's address once the
// server accepts connections.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, listening func(net.Addr)) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultServeAddr, "listen `address` (host:port; port 0 picks a free one)")
	var rulesName string
	fs.StringVar(&rulesName, "rules", "strict", "default verification `rules` of requests that name none: a preset ("+presetNames()+") or rules joined by + (see ed25519.ParseRules)")
	fs.StringVar(&rulesName, "mode", "strict", "the former name of -rules (not both)")
	serveList := fs.String("serve", "", "comma-separated `rules` to serve, one Batcher each (default: every preset, and -rules)")
	targetBatch := fs.Int("target-batch", 0, fmt.Sprintf("window batching: queue length at which a batch is flushed at once (0: %d); setting it or -max-wait selects the window instead of natural batching (see batcher.Policy)", batcher.DefaultTargetBatch))
	maxBatch := fs.Int("max-batch", 0, fmt.Sprintf("largest batch (0: %d)", batcher.DefaultMaxBatch))
	maxWait := fs.Duration("max-wait", 0, fmt.Sprintf("window batching: longest wait of a request for its batch to fill (0: %v); setting it selects the window", batcher.DefaultMaxWait))
	workers := fs.Int("workers", 0, "goroutines verifying one batch (0: 1, or GOMAXPROCS divided by -pipeline; see batcher.Config)")
	pipeline := fs.Int("pipeline", 0, "batches of one rule set verifying at the same time (0: GOMAXPROCS divided by -workers; see batcher.Config)")
	noPinning := fs.Bool("no-pinning", false, "do not pin verifiers to CPUs of their own while they verify a batch (Linux; pinning is on by default and shortens the latency tail; turn it off when the host runs other CPU-heavy work; see batcher.Config.NoPinning)")
	maxQueue := fs.Int("max-queue", 0, fmt.Sprintf("requests queued per rule set before answering 503 (0: %d)", batcher.DefaultMaxQueue))
	keyCache := fs.Int("key-cache", 0, fmt.Sprintf("decoded public keys kept per rule set between batches (0: %d)", batcher.DefaultKeyCache))
	maxBody := fs.Int64("max-body", server.DefaultMaxBody, "largest request body in `bytes`; larger ones are answered 413")
	maxItems := fs.Int("max-items", server.DefaultMaxItems, "most items in one batch request; more are answered 400")
	reqTimeout := fs.Duration("request-timeout", server.DefaultRequestTimeout, "longest wait for the verdicts of one request; past it, 503")
	shutdownTimeout := fs.Duration("shutdown-timeout", defaultShutdownTimeout, "on SIGINT/SIGTERM, how long to wait for accepted requests before closing their connections")
	fs.Usage = serveUsage(fs)

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ronkms serve: "+format+"\n", a...)
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	if bothGiven(fs, "rules", "mode") {
		return usageErr("-rules and -mode are two names of one flag; give one")
	}
	rules, err := ed25519.ParseRules(rulesName)
	if err != nil {
		return usageErr("-rules: %v", err)
	}
	servedRules := ed25519.Presets()
	if !slices.Contains(servedRules, rules) {
		servedRules = append(servedRules, rules)
	}
	if *serveList != "" {
		servedRules = nil
		for _, name := range strings.Split(*serveList, ",") {
			r, err := ed25519.ParseRules(strings.TrimSpace(name))
			if err != nil {
				return usageErr("-serve: %v", err)
			}
			servedRules = append(servedRules, r)
		}
		if !slices.Contains(servedRules, rules) {
			return usageErr("-serve: the default rules %v (-rules) are not among them", rules)
		}
	}
	switch {
	case *maxBody < 1:
		return usageErr("-max-body must be positive")
	case *maxItems < 1:
		return usageErr("-max-items must be positive")
	case *reqTimeout <= 0:
		return usageErr("-request-timeout must be positive")
	case *shutdownTimeout < 0:
		return usageErr("-shutdown-timeout must not be negative")
	}
	srvCfg := server.Config{
		DefaultRules: rules,
		Rules:        servedRules,
		Batcher: batcher.Config{
			TargetBatch: *targetBatch,
			MaxBatch:    *maxBatch,
			MaxWait:     *maxWait,
			Workers:     *workers,
			Pipeline:    *pipeline,
			MaxQueue:    *maxQueue,
			KeyCache:    *keyCache,
			NoPinning:   *noPinning,
		},
		MaxBody:        *maxBody,
		MaxItems:       *maxItems,
		RequestTimeout: *reqTimeout,
	}
	svc, err := server.New(srvCfg)
	if err != nil {
		return usageErr("%v", err)
	}
	defer svc.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "ronkms serve: %v\n", err)
		return exitFail
	}
	bc := svc.Config().Batcher
	hs := &http.Server{
		Handler:           svc.Handler(),
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		// Reading, then verifying, then writing.
		WriteTimeout:   serveReadTimeout + *reqTimeout + 10*time.Second,
		IdleTimeout:    serveIdleTimeout,
		MaxHeaderBytes: serveMaxHeaderBytes,
		ErrorLog:       log.New(stderr, "ronkms serve: http: ", 0),
	}
	fmt.Fprintf(stderr, "ronkms serve: listening on http://%s (default rules %v, serving %v; %v batching, target-batch %d, max-batch %d, max-wait %v, max-queue %d per rule set)\n",
		ln.Addr(), rules, servedRules, bc.Policy, bc.TargetBatch, bc.MaxBatch, bc.MaxWait, bc.MaxQueue)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if listening != nil {
		listening(ln.Addr())
	}

	code := exitOK
	select {
	case err := <-served:
		// Serve returned without a shutdown: the listener failed.
		fmt.Fprintf(stderr, "ronkms serve: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	fmt.Fprintf(stderr, "ronkms serve: shutting down: finishing accepted requests (at most %v)\n", *shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "ronkms serve: shutdown: %v; closing the remaining connections\n", err)
		hs.Close()
		code = exitFail
	}
	<-served // http.ErrServerClosed
	svc.Close()
	fmt.Fprintf(stderr, "ronkms serve: stopped\n")
	return code
}
