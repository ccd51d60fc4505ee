package main

import (
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.NamePattern", validate.NamePattern, 2)
}

// TestOpenAPITimePattern keeps the documented timeLogged pattern equal to the
// one libs/validate.Time enforces (validate's tests check the two agree).
func TestOpenAPITimePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.TimePattern", validate.TimePattern, 1)
}

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method the gateway serves itself must be described (the
// proxied prefixes forward any method; their paths are the upstreams').
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	ups := []upstream{
		{Name: "beacon-service", Prefix: "/beacons", URL: base},
		{Name: "tracking-service", Prefix: "/tracking", URL: base},
		{Name: "aggregator-service", Prefix: "/aggregator", URL: base},
	}
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(ups, testOptions(), httpxtest.Ops(), slog.New(slog.DiscardHandler)))
}

// operation is an operation line of a path block: indented by four.
var operation = regexp.MustCompile(`(?m)^    (get|post|put|patch|delete):$`)

// TestOpenAPIDeclaresAccessControl keeps the document in step with the
// access rules: every write requires bearerAuth and lists 401/403/429,
// every API read makes it optional and lists 401/429, and the gateway's
// own endpoints declare no security.
func TestOpenAPIDeclaresAccessControl(t *testing.T) {
	text := string(openAPI)
	blocks := strings.Split(text[:strings.Index(text, "\ncomponents:")], "\n  /")[1:]
	if len(blocks) < 10 {
		t.Fatalf("%d paths found", len(blocks))
	}
	for _, b := range blocks {
		path := "/" + b[:strings.Index(b, ":")]
		api := strings.HasPrefix(path, "/beacons") || strings.HasPrefix(path, "/tracking") || strings.HasPrefix(path, "/aggregator")
		starts := operation.FindAllStringSubmatchIndex(b, -1)
		if len(starts) == 0 {
			t.Errorf("%s: no operations found", path)
		}
		for i, m := range starts {
			method, op := b[m[2]:m[3]], b[m[0]:]
			if i+1 < len(starts) {
				op = b[m[0]:starts[i+1][0]]
			}
			var want []string
			switch {
			case api && method == "post":
				want = []string{"security: [{bearerAuth: []}]", `"401": {$ref: "#/components/responses/Unauthorized"}`, `"403": {$ref: "#/components/responses/Forbidden"}`, `"429": {$ref: "#/components/responses/TooManyRequests"}`}
			case api:
				want = []string{"security: [{}, {bearerAuth: []}]", `"401": {$ref: "#/components/responses/Unauthorized"}`, `"429": {$ref: "#/components/responses/TooManyRequests"}`}
			default:
				if strings.Contains(op, "security:") {
					t.Errorf("%s %s declares security; it is never behind a key", method, path)
				}
			}
			for _, w := range want {
				if !strings.Contains(op, w) {
					t.Errorf("%s %s lacks %s", method, path, w)
				}
			}
		}
	}
	for _, w := range []string{"scheme: bearer", "Retry-After: {$ref:", "WWW-Authenticate: {$ref:"} {
		if !strings.Contains(text, w) {
			t.Errorf("openapi.yaml lacks %s", w)
		}
	}
}

// TestOpenAPIBeaconLimit keeps the gateway's copy of tracking's beaconId
// bound equal to the one tracking enforces.
func TestOpenAPIBeaconLimit(t *testing.T) {
	httpxtest.CheckOpenAPIParameterLimit(t, openAPI, "sightingsOfBeacons", "beaconId", "maxItems", api.MaxSightingsQueryBeacons)
}
