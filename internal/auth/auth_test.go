package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

const goodPassword = "correct horse battery"

func newUser(t *testing.T, s *auth.Service, email string) *auth.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), auth.NewUser{Email: email, Name: "Test Person", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPasswordHashIsArgon2id(t *testing.T) {
	h, err := auth.HashPassword("pw-for-hash-test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if ok, _ := auth.CheckPassword(h, "pw-for-hash-test"); !ok {
		t.Fatal("right password rejected")
	}
	if ok, _ := auth.CheckPassword(h, "pw-for-hash-tesT"); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestCreateUserValidation(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewService(db)
		newUser(t, s, "First@Example.org")
		cases := []struct {
			in    auth.NewUser
			field string
			want  string
		}{
			{auth.NewUser{Email: "first@example.org", Name: "Dup", Password: goodPassword}, "email", "already exists"},
			{auth.NewUser{Email: " FIRST@example.org ", Name: "Dup", Password: goodPassword}, "email", "already exists"},
			{auth.NewUser{Email: "not-an-email", Name: "X", Password: goodPassword}, "email", "correct format"},
			{auth.NewUser{Email: "x@example.org", Name: "", Password: goodPassword}, "name", "Enter a name"},
			{auth.NewUser{Email: "x@example.org", Name: "X", Password: "short"}, "password", "10 characters"},
			{auth.NewUser{Email: "x@example.org", Name: "X", Password: goodPassword, CareerLevel: 10}, "career_level", "1 to 9"},
		}
		for _, c := range cases {
			_, err := s.CreateUser(ctx, c.in)
			var errs valid.Errors
			if !errors.As(err, &errs) || !strings.Contains(errs.For(c.field), c.want) {
				t.Errorf("CreateUser(%+v) = %v; want %s error containing %q", c.in, err, c.field, c.want)
			}
		}
		n, _ := s.CountUsers(ctx)
		if n != 1 {
			t.Fatalf("failed creations stored accounts: %d users", n)
		}
	})
}

func TestSignInAndLockout(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewService(db)
		newUser(t, s, "pat@example.org")
		if _, err := s.SignIn(ctx, "PAT@example.org", goodPassword, "10.0.0.1"); err != nil {
			t.Fatalf("right password: %v", err)
		}
		if _, err := s.SignIn(ctx, "pat@example.org", "wrong password!", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := s.SignIn(ctx, "nobody@example.org", goodPassword, "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown email must look the same as a wrong password: %v", err)
		}
		// Four more failures make five in the window: the account locks.
		var last error
		for i := 0; i < auth.FailuresPerAccount-1; i++ {
			_, last = s.SignIn(ctx, "pat@example.org", "wrong password!", "10.0.0.2")
		}
		var locked *auth.LockedError
		if !errors.As(last, &locked) || locked.Until.Before(time.Now()) {
			t.Fatalf("after %d failures: %v", auth.FailuresPerAccount, last)
		}
		// Locked means locked, even with the right password.
		if _, err := s.SignIn(ctx, "pat@example.org", goodPassword, "10.0.0.3"); !errors.As(err, &locked) {
			t.Fatalf("locked account accepted the right password: %v", err)
		}
	})
}

func TestPasswordResetLinks(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewService(db)
		u := newUser(t, s, "reset@example.org")
		if _, _, err := s.RequestReset(ctx, "nobody@example.org"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("reset for unknown email: %v", err)
		}
		_, token, err := s.RequestReset(ctx, "reset@example.org")
		if err != nil {
			t.Fatal(err)
		}
		// An altered token is not valid.
		if _, err := s.ResetPassword(ctx, token[:len(token)-1]+"x", "a brand new password"); !errors.Is(err, auth.ErrResetInvalid) {
			t.Fatalf("altered token: %v", err)
		}
		// A weak password is refused and the token stays usable.
		var errs valid.Errors
		if _, err := s.ResetPassword(ctx, token, "short"); !errors.As(err, &errs) {
			t.Fatalf("weak password: %v", err)
		}
		if err := s.CheckReset(ctx, token); err != nil {
			t.Fatalf("a refused reset spent the token: %v", err)
		}
		if _, err := s.SignIn(ctx, "reset@example.org", goodPassword, "1.1.1.1"); err != nil {
			t.Fatalf("a refused reset changed the password: %v", err)
		}
		if _, err := s.ResetPassword(ctx, token, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, token, "another new password"); !errors.Is(err, auth.ErrResetUsed) {
			t.Fatalf("second use: %v", err)
		}
		after, _ := s.UserByID(ctx, u.ID)
		if !after.PasswordChangedAt.After(u.PasswordChangedAt) {
			t.Fatal("password_changed_at did not move, so old sessions would survive")
		}
		if _, err := s.SignIn(ctx, "reset@example.org", "a brand new password", "1.1.1.1"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		// An expired link.
		_, token2, _ := s.RequestReset(ctx, "reset@example.org")
		if _, err := db.Exec(ctx, `UPDATE password_resets SET expires_at = ? WHERE used_at IS NULL`, time.Now().Add(-time.Minute).UTC()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, token2, "yet another password"); !errors.Is(err, auth.ErrResetExpired) {
			t.Fatalf("expired token: %v", err)
		}
		if _, err := s.SignIn(ctx, "reset@example.org", "a brand new password", "1.1.1.1"); err != nil {
			t.Fatalf("an expired link changed the password: %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewService(db)
		a := newUser(t, s, "a@example.org")
		b := newUser(t, s, "b@example.org")
		secret, err := s.CreateToken(ctx, a.ID, "reporting", 24*time.Hour)
		if err != nil || !strings.HasPrefix(secret, auth.TokenPrefix) {
			t.Fatalf("create: %q %v", secret, err)
		}
		if u, err := s.UserByToken(ctx, secret); err != nil || u.ID != a.ID {
			t.Fatalf("token owner: %v %v", u, err)
		}
		var hashes int
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, secret).Scan(&hashes)
		if hashes != 0 {
			t.Fatal("the secret is stored in clear")
		}
		toks, _ := s.Tokens(ctx, a.ID)
		if len(toks) != 1 {
			t.Fatalf("tokens: %+v", toks)
		}
		if err := s.RevokeToken(ctx, b.ID, toks[0].ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("another person revoked my token: %v", err)
		}
		if err := s.RevokeToken(ctx, a.ID, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByToken(ctx, secret); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("revoked token still works: %v", err)
		}
		if _, err := s.CreateToken(ctx, a.ID, "  ", 0); err == nil {
			t.Fatal("a token with no name was created")
		}
	})
}

// TestParallelGuessesAreCounted: guesses made at the same moment must not all slip past the
// limit. Each attempt is recorded before its password is checked, so at most
// FailuresPerAccount-1 are answered as an ordinary wrong password before the lock.
func TestParallelGuessesAreCounted(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewService(db)
		newUser(t, s, "target@example.org")
		results := make(chan error, 25)
		for i := 0; i < 25; i++ {
			go func() {
				_, err := s.SignIn(ctx, "target@example.org", "wrong guess", "10.0.0.9")
				results <- err
			}()
		}
		plainWrong := 0
		for i := 0; i < 25; i++ {
			err := <-results
			var locked *auth.LockedError
			switch {
			case errors.Is(err, auth.ErrBadCredentials):
				plainWrong++
			case errors.As(err, &locked):
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		if plainWrong > auth.FailuresPerAccount-1 {
			t.Fatalf("%d parallel guesses were checked before the lock; the limit allows %d", plainWrong, auth.FailuresPerAccount-1)
		}
		if _, err := s.SignIn(ctx, "target@example.org", goodPassword, "10.0.0.9"); err == nil {
			t.Fatal("the right password got through a locked account")
		}
	})
}
