package auth

// Role is what a membership lets a person do within one organisation.
type Role string

// The roles, as stored. Their labels are for people.
const (
	RoleLearner        Role = "learner"
	RolePractitioner   Role = "practitioner"
	RoleSupervisor     Role = "supervisor"
	RoleMentor         Role = "mentor"
	RoleProgrammeLead  Role = "programme-lead"
	RoleFunderReviewer Role = "funder-reviewer"
	RoleFunderAdmin    Role = "funder-admin"
	RoleWorkforceLead  Role = "workforce-lead"
	RoleSiteAdmin      Role = "site-admin"
)

// Roles lists every role in the order they are offered.
var Roles = []Role{RoleLearner, RolePractitioner, RoleSupervisor, RoleMentor, RoleProgrammeLead, RoleFunderReviewer, RoleFunderAdmin, RoleWorkforceLead, RoleSiteAdmin}

var roleLabels = map[Role]string{
	RoleLearner:        "Learner",
	RolePractitioner:   "Practitioner",
	RoleSupervisor:     "Supervisor or practice educator",
	RoleMentor:         "Mentor or coach",
	RoleProgrammeLead:  "Programme lead",
	RoleFunderReviewer: "Funder reviewer",
	RoleFunderAdmin:    "Funder administrator",
	RoleWorkforceLead:  "Workforce lead",
	RoleSiteAdmin:      "Site administrator",
}

// Label is the role's name for people.
func (r Role) Label() string { return roleLabels[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Membership is one role a person holds in one organisation.
type Membership struct {
	OrgID   int64
	OrgSlug string
	OrgName string
	OrgKind string
	Role    Role
}
