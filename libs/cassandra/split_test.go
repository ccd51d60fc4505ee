package cassandra

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want []string
	}{
		"plain":         {"CREATE TABLE a (x int PRIMARY KEY);\nCREATE TABLE b (y int PRIMARY KEY);", []string{"CREATE TABLE a (x int PRIMARY KEY)", "CREATE TABLE b (y int PRIMARY KEY)"}},
		"no final semi": {"SELECT 1 FROM t", []string{"SELECT 1 FROM t"}},
		"empty":         {" ;\n; ", nil},
		"string semi":   {"INSERT INTO t (s) VALUES ('a;b');", []string{"INSERT INTO t (s) VALUES ('a;b')"}},
		"escaped quote": {"INSERT INTO t (s) VALUES ('it''s; fine');x", []string{"INSERT INTO t (s) VALUES ('it''s; fine')", "x"}},
		"quoted ident":  {`SELECT "a;b" FROM t;`, []string{`SELECT "a;b" FROM t`}},
		"dollar":        {"CREATE FUNCTION f() RETURNS int LANGUAGE java AS $$ return 1; $$;", []string{"CREATE FUNCTION f() RETURNS int LANGUAGE java AS $$ return 1; $$"}},
		"comments":      {"-- header; with semi\nA; // tail;\n/* block; */ B;", []string{"A", "B"}},
		"comment only":  {"-- nothing here;\n", nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := SplitStatements(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitStatementsUnterminated(t *testing.T) {
	for _, in := range []string{"SELECT 'x", `SELECT "x`, "AS $$ x", "A /* b"} {
		if _, err := SplitStatements(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
