package auth

import "context"

type ctxKey struct{}

// WithUser returns a context carrying the signed-in person.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// UserFrom returns the signed-in person, or nil for an anonymous request.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(ctxKey{}).(*User)
	return u
}
