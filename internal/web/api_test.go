package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/api"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestOpenAPIDescribesEveryRoute checks the OpenAPI document against the route table both ways:
// every /api/v1 route is documented, and every documented operation exists.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("unexpected document header: %s %v", doc.OpenAPI, doc.Servers)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s needs an operationId and responses", method, path)
			}
		}
	}
	param := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
	routed := map[string]bool{}
	for _, rt := range app.Server.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/") {
			continue
		}
		key := rt.Method + " " + param.ReplaceAllString(rt.Pattern, "{$1}")
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not described in openapi.json", key)
		}
	}
	var extra []string
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("openapi.json describes %s, which is not a route", k)
	}
}

func TestAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		u, _ := app.Accounts.UserByEmail(ctx, alex)
		token, _ := app.Accounts.CreateToken(ctx, u.ID, "test", time.Hour)
		adm, _ := app.Accounts.UserByEmail(ctx, "admin@demo.pillars.test")
		adminToken, _ := app.Accounts.CreateToken(ctx, adm.ID, "test", time.Hour)
		c := app.Client()
		call := func(method, path, tok, body string) (int, map[string]any) {
			t.Helper()
			h := map[string]string{"Authorization": "Bearer " + tok}
			var status int
			var raw string
			if body != "" {
				h["Content-Type"] = "application/yaml"
				status, raw, _ = fetch(t, c, method, app.URL+path, strings.NewReader(body), h)
			} else {
				status, raw, _ = fetch(t, c, method, app.URL+path, nil, h)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatalf("%s %s: not JSON (%v): %s", method, path, err, raw)
			}
			return status, out
		}

		status, me := call("GET", "/api/v1/me", token, "")
		if status != 200 || me["email"] != alex || me["career_level"].(float64) != 6 {
			t.Fatalf("me: %d %v", status, me)
		}
		status, list := call("GET", "/api/v1/frameworks", token, "")
		if status != 200 || len(list["frameworks"].([]any)) != 4 {
			t.Fatalf("frameworks: %d %v", status, list)
		}
		status, fw := call("GET", "/api/v1/frameworks/nhs-hlm", token, "")
		if status != 200 || fw["key"] != "nhs-hlm" || fw["scale"].(map[string]any)["name"] == "" {
			t.Fatalf("framework: %d %v", status, fw)
		}
		status, el := call("GET", "/api/v1/frameworks/ot-leadership/elements/influence", token, "")
		if status != 200 || el["title"] != "Influence" || el["path"].([]any)[0] != "skills" {
			t.Fatalf("element: %d %v", status, el)
		}
		if status, e := call("GET", "/api/v1/frameworks/nope", token, ""); status != 404 || e["error"] != "not_found" {
			t.Fatalf("missing framework: %d %v", status, e)
		}
		if status, e := call("GET", "/api/v1/me", "plr_forged", ""); status != 401 || e["error"] != "invalid_token" {
			t.Fatalf("forged token: %d %v", status, e)
		}

		bad := "key: api-fw\nversion: \"1\"\ntitle: API\nsummary: S\nelements:\n  - key: a\n    titel: A\n"
		status, e := call("POST", "/api/v1/frameworks?name=mine.yaml", adminToken, bad)
		if status != 422 || e["error"] != "invalid_framework" || !strings.Contains(e["fields"].([]any)[0].(map[string]any)["message"].(string), "mine.yaml:7:") {
			t.Fatalf("malformed import: %d %v", status, e)
		}
		good := strings.Replace(bad, "titel", "title", 1)
		if status, r := call("POST", "/api/v1/frameworks", adminToken, good); status != 201 || r["outcome"] != "created" {
			t.Fatalf("import: %d %v", status, r)
		}
		if status, r := call("POST", "/api/v1/frameworks", adminToken, good); status != 200 || r["outcome"] != "unchanged" {
			t.Fatalf("re-import: %d %v", status, r)
		}
		_, vi, _ := app.Frameworks.Get(ctx, "api-fw", "")
		lockVersion(t, app, vi.ID)
		changed := strings.Replace(good, "title: A", "title: Changed", 1)
		if status, r := call("POST", "/api/v1/frameworks", adminToken, changed); status != http.StatusConflict || r["error"] != "version_locked" {
			t.Fatalf("changing a locked version: %d %v", status, r)
		}
	})
}

func lockVersion(t *testing.T, app *testutil.App, id int64) {
	t.Helper()
	if _, err := app.DB.Exec(context.Background(), `UPDATE framework_versions SET locked_at = ? WHERE id = ?`, store.Now(), id); err != nil {
		t.Fatal(err)
	}
}
