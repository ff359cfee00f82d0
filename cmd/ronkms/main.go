// Command ronkms is the ronkms tool.
//
// Usage:
//
//	ronkms <command> [flags]
//
// Commands:
//
//	bench   measure signing, single and batch verification on this machine
//	serve   serve signature verification over HTTP
//	loadgen load-test a ronkms serve on this machine (loopback only)
//	help    show the usage of ronkms or of one command
//
// Run "ronkms help <command>" for the flags of a command.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes of run.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // bad command line
)

// A command is one subcommand of ronkms. run gets the arguments after the
// command name and returns the process exit code; it writes results to
// stdout, and progress, errors and usage to stderr.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order "ronkms help" shows them.
// New subcommands (serve, ...) are added here.
var commands = []command{
	{"bench", "measure signing, single and batch verification on this machine", runBench},
	{"serve", "serve signature verification over HTTP", runServe},
	{"loadgen", "load-test a ronkms serve on this machine (loopback only)", runLoadgen},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the ronkms command line args (without the program name) and
// returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		c := lookup(rest[0])
		if c == nil {
			fmt.Fprintf(stderr, "ronkms help: unknown command %q\n", rest[0])
			usage(stderr)
			return exitUsage
		}
		// Every command prints its usage for -h and returns exitOK.
		return c.run([]string{"-h"}, stdout, stdout)
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "ronkms: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	return c.run(rest, stdout, stderr)
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: ronkms <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "show this message, or the flags of a command: ronkms help <command>")
}

// bothGiven reports whether flags a and b (two names of one setting) were
// both set on the command line, which is a usage error: the last one would
// win silently.
func bothGiven(fs *flag.FlagSet, a, b string) bool {
	seen := 0
	fs.Visit(func(f *flag.Flag) {
		if f.Name == a || f.Name == b {
			seen++
		}
	})
	return seen == 2
}
