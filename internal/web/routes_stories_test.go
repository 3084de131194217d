package web_test

import (
	"testing"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// storyRoutes sets up its own records and returns TestRouteByRole's rows for its routes.
func storyRoutes(t *testing.T, app *testutil.App, db *store.DB) []routeRow {
	return nil
}
