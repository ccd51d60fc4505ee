// Command apikey manages the gateway's API key file (libs/apikey): it
// creates keys, printing each token once, lists them without secrets, and
// revokes them. The gateway re-reads the file within seconds of a change
// (or on SIGHUP), so none of this needs a restart.
//
//	apikey create --file F --name N --scope read|write [--rate-limit R --rate-burst B]
//	apikey revoke --file F --id ID
//	apikey list   --file F
//
// The file path may also come from FIND_PEERS_API_KEYS_FILE. create prints
// only the token on stdout (so `TOKEN=$(apikey create ...)` works) and the
// key's id on stderr; the token cannot be shown again: store it now.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
)

// fileEnv is the environment fallback of --file.
const fileEnv = "FIND_PEERS_API_KEYS_FILE"

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// errUsage marks a usage error (exit 2); it has been reported already.
var errUsage = errors.New("usage")

// run is main without the exit: 0 ok, 1 failure, 2 bad usage.
func run(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "apikey: want a command: create, revoke or list")
		return 2
	}
	commands := map[string]func([]string, func(string) (string, bool), io.Writer, io.Writer) error{
		"create": create, "revoke": revoke, "list": list,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "apikey: unknown command %q (want create, revoke or list)\n", args[0])
		return 2
	}
	switch err := cmd(args[1:], lookup, stdout, stderr); {
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "apikey:", err)
		return 1
	}
	return 0
}

// flags returns the command's flag set with --file, and a function that
// parses args and checks --file is set.
func flags(name string, lookup func(string) (string, bool), stderr io.Writer) (*flag.FlagSet, func([]string) (string, error)) {
	fs := flag.NewFlagSet("apikey "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	def, _ := lookup(fileEnv)
	file := fs.String("file", def, "the API key file (env "+fileEnv+")")
	return fs, func(args []string) (string, error) {
		if err := fs.Parse(args); err != nil {
			return "", errUsage
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "apikey %s: unexpected arguments %q\n", name, fs.Args())
			return "", errUsage
		}
		if *file == "" {
			fmt.Fprintf(stderr, "apikey %s: --file (or %s) is required\n", name, fileEnv)
			return "", errUsage
		}
		return *file, nil
	}
}

func create(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs, parse := flags("create", lookup, stderr)
	name := fs.String("name", "", "what the key is for (shown by list)")
	scope := fs.String("scope", "", `"read" (GET requests) or "write" (everything)`)
	limit := fs.Float64("rate-limit", 0, "this key's requests per second (0: the gateway's -rate-limit)")
	burst := fs.Int("rate-burst", 0, "this key's burst (0: the gateway's -rate-burst)")
	file, err := parse(args)
	if err != nil {
		return err
	}
	if *scope != string(apikey.ScopeRead) && *scope != string(apikey.ScopeWrite) {
		fmt.Fprintln(stderr, `apikey create: --scope must be "read" or "write"`)
		return errUsage
	}
	f, err := apikey.LoadOrEmpty(file)
	if err != nil {
		return err
	}
	token, key, err := apikey.NewKey(*name, time.Now(), apikey.Scope(*scope))
	if err != nil {
		return fmt.Errorf("--name or --scope: %w", err)
	}
	key.RateLimit, key.RateBurst = *limit, *burst
	f.Keys = append(f.Keys, key)
	// Parse what will be written: the same checks as the gateway's.
	if err := check(f); err != nil {
		return err
	}
	if err := apikey.Save(file, f); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "apikey: created key %s (%s, %s) in %s; the token below is shown only now\n", key.ID, key.Name, *scope, file)
	fmt.Fprintln(stdout, token)
	return nil
}

func revoke(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs, parse := flags("revoke", lookup, stderr)
	id := fs.String("id", "", "the key's id (see list)")
	file, err := parse(args)
	if err != nil {
		return err
	}
	f, err := apikey.Load(file)
	if err != nil {
		return err
	}
	for i, k := range f.Keys {
		if k.ID != *id {
			continue
		}
		if k.Revoked != nil {
			fmt.Fprintf(stdout, "key %s was already revoked at %s\n", k.ID, k.Revoked.Format(time.RFC3339))
			return nil
		}
		now := time.Now().UTC().Truncate(time.Second)
		f.Keys[i].Revoked = &now
		if err := apikey.Save(file, f); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked key %s (%s); running gateways stop accepting it within seconds\n", k.ID, k.Name)
		return nil
	}
	return fmt.Errorf("--id: no key %q in %s", *id, file)
}

func list(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	_, parse := flags("list", lookup, stderr)
	file, err := parse(args)
	if err != nil {
		return err
	}
	f, err := apikey.Load(file)
	if err != nil {
		return err
	}
	// Never the hash: it is not the secret, but nobody needs to see it.
	fmt.Fprintf(stdout, "%-16s  %-6s  %-20s  %-20s  %s\n", "ID", "SCOPES", "CREATED", "REVOKED", "NAME")
	for _, k := range f.Keys {
		revoked := "-"
		if k.Revoked != nil {
			revoked = k.Revoked.UTC().Format(time.RFC3339)
		}
		scopes := ""
		for i, s := range k.Scopes {
			if i > 0 {
				scopes += ","
			}
			scopes += string(s)
		}
		fmt.Fprintf(stdout, "%-16s  %-6s  %-20s  %-20s  %s\n", k.ID, scopes, k.Created.UTC().Format(time.RFC3339), revoked, k.Name)
	}
	return nil
}

// check validates f as the gateway will read it.
func check(f apikey.File) error {
	data, err := apikey.Marshal(f)
	if err != nil {
		return err
	}
	_, err = apikey.Parse(bytes.NewReader(data))
	return err
}
