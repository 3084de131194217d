package web

import (
	"net/http"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
)

// Gate is the coarse check a route makes before its handler runs. Finer checks on a particular
// record (is this your plan? are you a lead in this organisation?) are the areas' Can* functions,
// called by the handler with the record in hand.
type Gate int

const (
	// Public routes need no account. They are the allowlist: everything else is gated.
	Public Gate = iota
	// SignedIn routes need a browser session.
	SignedIn
	// SiteAdmin routes need a session of a site administrator.
	SiteAdmin
	// Token routes are the JSON API: a personal API token in "Authorization: Bearer ...".
	Token
	// TokenSiteAdmin routes are API routes for site administrators' tokens.
	TokenSiteAdmin
)

func (g Gate) String() string {
	return [...]string{"public", "signed in", "site admin", "API token", "API token (site admin)"}[g]
}

// Route is one row of the route table.
type Route struct {
	Method  string
	Pattern string
	Gate    Gate
	Handler http.HandlerFunc
}

// Routes is the one route table. The route-by-role test walks it: a route added here without a
// row in that test fails the build.
func (s *Server) Routes() []Route {
	return []Route{
		// Public pages and machinery.
		{"GET", "/{$}", Public, s.landing},
		{"GET", "/sign-in", Public, s.signInForm},
		{"POST", "/sign-in", Public, s.signIn},
		{"GET", "/password/forgot", Public, s.forgotForm},
		{"POST", "/password/forgot", Public, s.forgot},
		{"GET", "/password/reset/{token}", Public, s.resetForm},
		{"POST", "/password/reset/{token}", Public, s.reset},
		{"GET", "/accessibility", Public, s.accessibility},
		{"GET", "/privacy", Public, s.privacy},
		{"GET", "/healthz", Public, s.healthz},
		{"GET", "/readyz", Public, s.readyz},
		{"GET", "/static/{hash}/{path...}", Public, s.static.serve},

		// Signed-in pages.
		{"POST", "/sign-out", SignedIn, s.signOut},
		{"GET", "/home", SignedIn, s.home},
		{"GET", "/account", SignedIn, s.account},
		{"POST", "/account/career-level", SignedIn, s.setCareerLevel},
		{"GET", "/account/tokens", SignedIn, s.tokens},
		{"POST", "/account/tokens", SignedIn, s.createToken},
		{"POST", "/account/tokens/{id}/revoke", SignedIn, s.revokeToken},
		{"GET", "/organisations/{slug}", SignedIn, s.organisation},
		{"GET", "/frameworks", SignedIn, s.frameworkList},
		{"GET", "/frameworks/{key}", SignedIn, s.frameworkShow},
		{"GET", "/frameworks/{key}/versions", SignedIn, s.frameworkVersions},
		{"GET", "/frameworks/{key}/elements/{element}", SignedIn, s.frameworkElement},

		// My leadership: self-assessment, gaps, 360 feedback and the development plan. Each
		// handler reads only the signed-in person's own records (or a plan shared with them).
		{"GET", "/assessments", SignedIn, s.assessments},
		{"POST", "/assessments", SignedIn, s.startAssessment},
		{"GET", "/assessments/compare", SignedIn, s.compareAssessments},
		{"GET", "/assessments/{id}", SignedIn, s.showAssessment},
		{"GET", "/assessments/{id}/edit", SignedIn, s.editAssessment},
		{"POST", "/assessments/{id}/edit", SignedIn, s.saveAssessment},
		{"POST", "/assessments/{id}/autosave", SignedIn, s.autosaveAssessment},
		{"GET", "/gaps", SignedIn, s.gaps},
		{"GET", "/feedback", SignedIn, s.feedback},
		{"POST", "/feedback", SignedIn, s.createRound},
		{"GET", "/feedback/{id}", SignedIn, s.showRound},
		{"POST", "/feedback/{id}/raters", SignedIn, s.inviteRater},
		{"POST", "/feedback/{id}/close", SignedIn, s.closeRound},
		{"GET", "/feedback/{id}/report", SignedIn, s.feedbackReport},
		{"GET", "/feedback/{id}/report/print", SignedIn, s.feedbackReportPrint},
		{"GET", "/rate/{token}", Public, s.rateForm},
		{"POST", "/rate/{token}", Public, s.rate},
		{"GET", "/plan", SignedIn, s.planHome},
		{"GET", "/plan/print", SignedIn, s.planPrint},
		{"GET", "/plan/goals/new", SignedIn, s.newGoal},
		{"POST", "/plan/goals", SignedIn, s.createGoal},
		{"POST", "/plan/goals/from-gap", SignedIn, s.goalFromGap},
		{"GET", "/plan/goals/{id}/edit", SignedIn, s.editGoal},
		{"POST", "/plan/goals/{id}", SignedIn, s.updateGoal},
		{"POST", "/plan/goals/{id}/actions", SignedIn, s.addAction},
		{"POST", "/plan/actions/{id}/status", SignedIn, s.setActionStatus},
		{"POST", "/plan/shares", SignedIn, s.sharePlan},
		{"POST", "/plan/shares/{id}/revoke", SignedIn, s.revokeShare},
		{"POST", "/plan/comments", SignedIn, s.commentOwnPlan},
		{"GET", "/plan/challenges", SignedIn, s.challenges},
		{"POST", "/plan/challenges/add", SignedIn, s.addChallengeAction},
		{"GET", "/plans", SignedIn, s.plansSharedWithMe},
		{"GET", "/plans/{owner}", SignedIn, s.sharedPlan},
		{"POST", "/plans/{owner}/comments", SignedIn, s.commentSharedPlan},
		{"GET", "/organisations/{slug}/heatmap", SignedIn, s.heatmap},

		// The CPD portfolio. Every handler reads the signed-in person's own records; another
		// person's entry is reachable only through a share (portfolio.CanViewShared).
		{"GET", "/portfolio", SignedIn, s.portfolioHome},
		{"GET", "/portfolio/totals", SignedIn, s.portfolioTotals},
		{"GET", "/portfolio/entries/new", SignedIn, s.newEntry},
		{"POST", "/portfolio/entries", SignedIn, s.createEntry},
		{"POST", "/portfolio/autosave", SignedIn, s.autosaveEntry},
		{"GET", "/portfolio/entries/{id}", SignedIn, s.showEntry},
		{"GET", "/portfolio/entries/{id}/edit", SignedIn, s.editEntry},
		{"POST", "/portfolio/entries/{id}", SignedIn, s.updateEntry},
		{"POST", "/portfolio/entries/{id}/autosave", SignedIn, s.autosaveEntry},
		{"POST", "/portfolio/entries/{id}/discard", SignedIn, s.discardPending},
		{"POST", "/portfolio/entries/{id}/delete", SignedIn, s.deleteEntry},
		{"POST", "/portfolio/entries/{id}/evidence", SignedIn, s.addEvidence},
		{"POST", "/portfolio/entries/{id}/shares", SignedIn, s.shareEntry},
		{"GET", "/portfolio/evidence/{id}", SignedIn, s.downloadEvidence},
		{"POST", "/portfolio/evidence/{id}/delete", SignedIn, s.removeEvidence},
		{"GET", "/portfolio/sharing", SignedIn, s.portfolioSharing},
		{"POST", "/portfolio/shares/{id}/revoke", SignedIn, s.revokePortfolioShare},
		{"POST", "/portfolio/collections", SignedIn, s.createCollection},
		{"POST", "/portfolio/collections/{id}/delete", SignedIn, s.deleteCollection},
		{"POST", "/portfolio/collections/{id}/shares", SignedIn, s.shareCollection},
		{"GET", "/portfolio/shared", SignedIn, s.portfolioSharedWithMe},
		{"GET", "/portfolio/shared/{id}", SignedIn, s.readNamedShare},
		{"POST", "/portfolio/shared/{id}/comments", SignedIn, s.commentOnShare},
		{"GET", "/shared/{token}", Public, s.readLinkShare},
		{"POST", "/shared/{token}/comments", Public, s.commentOnShare},
		{"GET", "/portfolio/audit", SignedIn, s.auditPacks},
		{"POST", "/portfolio/audit", SignedIn, s.openAuditPack},
		{"GET", "/portfolio/audit/{id}", SignedIn, s.auditPack},
		{"POST", "/portfolio/audit/{id}", SignedIn, s.saveAuditPack},
		{"POST", "/portfolio/audit/{id}/exports", SignedIn, s.exportAuditPack},
		{"GET", "/portfolio/audit/{id}/exports/{export}", SignedIn, s.auditExport},
		{"GET", "/portfolio/audit/{id}/exports/{export}/files/{file}", SignedIn, s.auditExportFile},
		{"GET", "/portfolio/export/{format}", SignedIn, s.exportPortfolio},
		{"GET", "/portfolio/import", SignedIn, s.importForm},
		{"POST", "/portfolio/import", SignedIn, s.importPortfolio},

		// The directory: everyone signed in searches it and suggests; moderators (site
		// administrators and programme leads, directory.CanModerate) approve, decline and import.
		{"GET", "/directory", SignedIn, s.directoryList},
		{"GET", "/directory/{id}", SignedIn, s.directoryShow},
		{"GET", "/directory/suggest", SignedIn, s.suggestForm},
		{"POST", "/directory/suggest", SignedIn, s.suggest},
		{"GET", "/directory/export.bib", SignedIn, s.directoryExport("bib")},
		{"GET", "/directory/export.ris", SignedIn, s.directoryExport("ris")},
		{"GET", "/directory/moderation", SignedIn, s.moderation},
		{"POST", "/directory/moderation/{id}/approve", SignedIn, s.approveSuggestion},
		{"POST", "/directory/moderation/{id}/decline", SignedIn, s.declineSuggestion},
		{"POST", "/directory/import", SignedIn, s.directoryImport},

		// Recommendations: ranked from the person's own gaps (or chosen elements); "Add to my
		// plan" writes only to the signed-in person's goals.
		{"GET", "/recommendations", SignedIn, s.recommendations},
		{"POST", "/recommendations/add", SignedIn, s.addRecommendation},

		// Mentoring and coaching, part 1: profiles, accreditation checks, asking for a match,
		// requests and their answers, cohort matching.
		// (mentoring-match routes: add below this line)
		// A request is read and answered through mentoring.Relationship, the one gate: only
		// its mentee and mentor, and to anyone else 404. Verifiers (mentoring.CanVerify) and
		// cohort matchers (mentoring.CanMatchCohort) are decided in the area; others get 403.
		{"GET", "/mentoring", SignedIn, s.mentoringHub},
		{"GET", "/mentoring/profile", SignedIn, s.mentorProfileForm},
		{"POST", "/mentoring/profile", SignedIn, s.saveMentorProfile},
		{"GET", "/mentoring/profile/evidence", SignedIn, s.ownEvidence},
		{"GET", "/mentoring/find", SignedIn, s.findMentor},
		{"POST", "/mentoring/find", SignedIn, s.saveAsk},
		{"POST", "/mentoring/find/withdraw", SignedIn, s.withdrawAsk},
		{"GET", "/mentoring/mentors/{id}", SignedIn, s.mentorPage},
		{"POST", "/mentoring/mentors/{id}/request", SignedIn, s.requestMentor},
		{"GET", "/mentoring/requests/{id}", SignedIn, s.requestPage},
		{"POST", "/mentoring/requests/{id}/accept", SignedIn, s.acceptRequest},
		{"POST", "/mentoring/requests/{id}/decline", SignedIn, s.declineRequest},
		{"POST", "/mentoring/requests/{id}/withdraw", SignedIn, s.withdrawRequest},
		{"GET", "/mentoring/verification", SignedIn, s.verificationQueue},
		{"GET", "/mentoring/verification/{id}/evidence", SignedIn, s.verificationEvidence},
		{"POST", "/mentoring/verification/{id}", SignedIn, s.decideClaim},
		{"GET", "/mentoring/cohort", SignedIn, s.cohortPage},
		{"POST", "/mentoring/cohort", SignedIn, s.sendCohort},

		// Mentoring and coaching, part 2: a relationship's agreement, sessions, notes, reviews,
		// calendar invitations and feed, and coordinators' reports.
		// (mentoring-relationship routes: add below this line)
		// Everything under a relationship goes through mentoring.Relationship, the one gate: the
		// mentee and the mentor, and to anyone else 404. A private note is its author's alone.
		{"GET", "/mentoring/relationships/{id}", SignedIn, s.relationshipShow},
		{"GET", "/mentoring/relationships/{id}/agreement", SignedIn, s.relationshipAgreementForm},
		{"POST", "/mentoring/relationships/{id}/agreement", SignedIn, s.relationshipAgreementSave},
		{"POST", "/mentoring/relationships/{id}/agree", SignedIn, s.relationshipAgree},
		{"POST", "/mentoring/relationships/{id}/complete", SignedIn, s.relationshipComplete},
		{"GET", "/mentoring/relationships/{id}/end", SignedIn, s.relationshipEndForm},
		{"POST", "/mentoring/relationships/{id}/end", SignedIn, s.relationshipEnd},
		{"GET", "/mentoring/relationships/{id}/review", SignedIn, s.relationshipReviewForm},
		{"POST", "/mentoring/relationships/{id}/review", SignedIn, s.relationshipReviewSave},
		{"GET", "/mentoring/relationships/{id}/sessions/new", SignedIn, s.mentoringSessionNew},
		{"POST", "/mentoring/relationships/{id}/sessions", SignedIn, s.mentoringSessionCreate},
		{"GET", "/mentoring/sessions/{id}", SignedIn, s.mentoringSessionShow},
		{"GET", "/mentoring/sessions/{id}/edit", SignedIn, s.mentoringSessionEdit},
		{"POST", "/mentoring/sessions/{id}", SignedIn, s.mentoringSessionUpdate},
		{"POST", "/mentoring/sessions/{id}/cancel", SignedIn, s.mentoringSessionCancel},
		{"POST", "/mentoring/sessions/{id}/held", SignedIn, s.mentoringSessionHeld},
		{"POST", "/mentoring/sessions/{id}/notes", SignedIn, s.mentoringSessionNotes},
		{"POST", "/mentoring/sessions/{id}/private-notes", SignedIn, s.mentoringSessionPrivate},
		{"GET", "/mentoring/sessions/{id}/invite.ics", SignedIn, s.mentoringSessionInvite},
		{"POST", "/mentoring/sessions/{id}/cpd", SignedIn, s.mentoringSessionCPD},
		{"GET", "/mentoring/notes/{id}", SignedIn, s.privateNoteShow},
		{"POST", "/mentoring/notes/{id}", SignedIn, s.privateNoteUpdate},
		{"GET", "/mentoring/calendar", SignedIn, s.calendarShow},
		{"POST", "/mentoring/calendar", SignedIn, s.calendarReset},
		{"POST", "/mentoring/calendar/stop", SignedIn, s.calendarStop},
		// A calendar app polls the feed with no account: the secret in the address (stored
		// hashed) is the only credential, so it is redacted in logs like the other secret paths.
		{"GET", "/calendar/{file}", Public, s.calendarFeed},
		// Counts for an organisation's programme leads and site administrators (mentoring.CanReport).
		{"GET", "/mentoring/reports", SignedIn, s.mentoringReport},

		// Career stories and the level-to-level comparison.
		// (story routes: add below this line)
		// Anyone signed in reads published stories and writes their own; moderators
		// (stories.CanModerate) publish or decline; stories.Service reads apply stories.CanView.
		{"GET", "/stories", SignedIn, s.storiesList},
		{"GET", "/stories/new", SignedIn, s.newStory},
		{"POST", "/stories", SignedIn, s.createStory},
		{"GET", "/stories/moderation", SignedIn, s.storyModeration},
		{"GET", "/stories/{id}", SignedIn, s.showStory},
		{"GET", "/stories/{id}/attachment", SignedIn, s.storyAttachment},
		{"GET", "/stories/{id}/edit", SignedIn, s.editStory},
		{"POST", "/stories/{id}", SignedIn, s.updateStory},
		{"POST", "/stories/{id}/withdraw", SignedIn, s.withdrawStory},
		{"POST", "/stories/{id}/publish", SignedIn, s.publishStory},
		{"POST", "/stories/{id}/decline", SignedIn, s.declineStory},
		{"GET", "/career", SignedIn, s.career},

		// Site administration.
		{"GET", "/admin", SiteAdmin, s.adminHome},
		{"GET", "/admin/frameworks/import", SiteAdmin, s.frameworkImportForm},
		{"POST", "/admin/frameworks/import", SiteAdmin, s.frameworkImport},
		{"GET", "/admin/frameworks/{key}/levels", SiteAdmin, s.levelNamesForm},
		{"POST", "/admin/frameworks/{key}/levels", SiteAdmin, s.levelNames},
		{"GET", "/admin/targets/{key}", SiteAdmin, s.targetsForm},
		{"POST", "/admin/targets/{key}", SiteAdmin, s.saveTargets},

		// JSON API v1.
		{"GET", "/api/v1/openapi.json", Public, s.api.OpenAPI},
		{"GET", "/api/v1/me", Token, s.api.MeHandler},
		{"GET", "/api/v1/frameworks", Token, s.api.ListFrameworks},
		{"POST", "/api/v1/frameworks", TokenSiteAdmin, s.api.ImportFramework},
		{"GET", "/api/v1/frameworks/{key}", Token, s.api.GetFramework},
		{"GET", "/api/v1/frameworks/{key}/versions", Token, s.api.FrameworkVersions},
		{"GET", "/api/v1/frameworks/{key}/elements/{element}", Token, s.api.GetElement},
		// My leadership: the token owner's own records only; anyone else's answer 404.
		{"GET", "/api/v1/assessments", Token, s.api.ListAssessments},
		{"POST", "/api/v1/assessments", Token, s.api.StartAssessment},
		{"GET", "/api/v1/assessments/compare", Token, s.api.CompareAssessments},
		{"GET", "/api/v1/assessments/{id}", Token, s.api.GetAssessment},
		{"PUT", "/api/v1/assessments/{id}/ratings", Token, s.api.SaveRatings},
		{"GET", "/api/v1/gaps", Token, s.api.Gaps},
		{"GET", "/api/v1/feedback", Token, s.api.ListRounds},
		{"POST", "/api/v1/feedback", Token, s.api.CreateRound},
		{"GET", "/api/v1/feedback/{id}", Token, s.api.GetRound},
		{"POST", "/api/v1/feedback/{id}/raters", Token, s.api.InviteRater},
		{"GET", "/api/v1/feedback/{id}/report", Token, s.api.RoundReport},
		{"GET", "/api/v1/plan/goals", Token, s.api.ListGoals},
		{"POST", "/api/v1/plan/goals", Token, s.api.CreateGoal},
		{"GET", "/api/v1/plan/goals/{id}", Token, s.api.GetGoal},
		{"PUT", "/api/v1/plan/goals/{id}", Token, s.api.UpdateGoal},
		{"POST", "/api/v1/plan/goals/{id}/actions", Token, s.api.AddAction},
		{"PUT", "/api/v1/plan/actions/{id}", Token, s.api.SetActionStatus},
		{"GET", "/api/v1/plan/shares", Token, s.api.ListShares},
		{"POST", "/api/v1/plan/shares", Token, s.api.SharePlan},
		{"DELETE", "/api/v1/plan/shares/{id}", Token, s.api.RevokeShare},
	}
}

// gate wraps a route's handler with its check.
func (s *Server) gate(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch rt.Gate {
		case Public:
		case SignedIn, SiteAdmin:
			u := auth.UserFrom(r.Context())
			if u == nil {
				if r.Header.Get("HX-Request") == "true" {
					// An autosave after the session ended: say so in the page's status line
					// rather than swapping the sign-in page into it. The text stays on screen.
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					_, _ = w.Write([]byte("You have been signed out, so this was not saved. Your text is still here: press Save and sign in again to keep it."))
					return
				}
				if s.keepForm(w, r, rt.Pattern) {
					return
				}
				s.redirectToSignIn(w, r)
				return
			}
			if rt.Gate == SiteAdmin && !u.IsSiteAdmin() {
				s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
					"This page is for site administrators. If you need access, ask your organisation's Pillars administrator.")
				return
			}
		case Token, TokenSiteAdmin:
			u, ok := s.tokenUser(w, r)
			if !ok {
				return
			}
			if rt.Gate == TokenSiteAdmin && !u.IsSiteAdmin() {
				s.apiError(w, http.StatusForbidden, "forbidden", "This endpoint is for site administrators.", nil)
				return
			}
			r = r.WithContext(auth.WithUser(r.Context(), u))
		}
		rt.Handler(w, r)
	})
}

// tokenUser authenticates an API request by its bearer token, answering 401 itself on failure.
func (s *Server) tokenUser(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	h := r.Header.Get("Authorization")
	secret, found := strings.CutPrefix(h, "Bearer ")
	if !found || secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pillars"`)
		s.apiError(w, http.StatusUnauthorized, "unauthenticated", "Send a personal API token in the Authorization header: Bearer plr_... Create one on your account page.", nil)
		return nil, false
	}
	u, err := s.accounts.UserByToken(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		if err != auth.ErrNotFound {
			s.log.Error("api token lookup", "err", err)
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="pillars", error="invalid_token"`)
		s.apiError(w, http.StatusUnauthorized, "invalid_token", "That API token is not valid: it may have been revoked or have expired.", nil)
		return nil, false
	}
	return u, true
}
