package cassandra_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// ReplaceSuperuser on a cluster already bootstrapped (the launcher did it)
// logs in as the admin, keeps system_auth as it is, and the default
// superuser stays refused; twice in a row, as a restarted job would.
func TestReplaceSuperuserIsIdempotent(t *testing.T) {
	sc := cassandratest.Secure(t)
	admin := sc.Admin(t, "")
	s := connect(t, admin)
	var peers int
	if err := s.Query("SELECT COUNT(*) FROM system.peers").Scan(&peers); err != nil {
		t.Fatal(err)
	}
	authRepl := cassandra.Replication{Class: "SimpleStrategy", Factor: peers + 1}
	for i := 0; i < 2; i++ {
		got, err := cassandra.ReplaceSuperuser(cassandratest.Context(t, time.Minute), admin, authRepl, io.Discard)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		got.Close()
	}
	def := admin
	def.Username, def.Password = cassandra.DefaultSuperuser, cassandra.DefaultSuperuser
	refused(t, def, "Provided username", "incorrect", "authentication")
}

// With a wrong admin password and no default superuser left it gives up
// when ctx ends, without the password in the error.
func TestReplaceSuperuserGivesUpWithoutLeakingThePassword(t *testing.T) {
	admin := cassandratest.Secure(t).Admin(t, "")
	admin.Password = "wrong-Pa55word"
	admin.ConnectTimeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cassandra.ReplaceSuperuser(ctx, admin, cassandra.Replication{Class: "SimpleStrategy", Factor: 1}, io.Discard)
	if err == nil {
		s.Close()
		t.Fatal("logged in with a wrong admin password")
	}
	if strings.Contains(err.Error(), string(admin.Password)) || !strings.Contains(err.Error(), "neither") {
		t.Errorf("error: %v", err)
	}
}
