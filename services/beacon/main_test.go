package main

import (
	"testing"

	"github.com/find-peers/find-peers/libs/service/servicetest"
)

func TestRunUsageErrors(t *testing.T) {
	servicetest.CheckUsage(t, run, servicetest.KeyspaceUsageCases("BEACON"))
}

func TestRunHealth(t *testing.T) {
	servicetest.CheckHealth(t, run, "BEACON")
}
