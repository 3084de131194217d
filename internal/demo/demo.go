// Package demo loads a small fictional world, with a few organisations and a person in every
// role, so a newcomer can sign in and look around. Every name, organisation and address here is
// invented; none is taken from the source documents. Emails use the reserved .test domain, so
// nothing can ever be delivered to them. Loading is idempotent: what exists is left alone.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Password is every demo person's password. It is printed at start-up and on the sign-in page
// in demo mode only.
const Password = "pillars-demo-2026"

// Organisations are the demo organisations.
var Organisations = []org.Organisation{
	{Slug: "north-vale-nhs", Name: "North Vale NHS Foundation Trust", Kind: org.NHSTrust, Region: "North West"},
	{Slug: "eastmoor-university", Name: "University of Eastmoor", Kind: org.University, Region: "Yorkshire and the Humber"},
	{Slug: "riverside-council", Name: "Riverside County Council", Kind: org.LocalAuthority, Region: "South West"},
	{Slug: "hartwell-trust", Name: "The Hartwell Leadership Trust", Kind: org.CharityFunder, Region: "National"},
	{Slug: "ot-association", Name: "Association of Occupational Therapy Practice", Kind: org.ProfessionalBody, Region: "National"},
	{Slug: "brightpath-therapy", Name: "Brightpath Therapy", Kind: org.IndependentPractice, Region: "Midlands"},
}

// Person is a demo account and its roles.
type Person struct {
	Email    string
	Name     string
	JobTitle string
	Level    int
	Roles    []Grant
}

// Grant is one role in one organisation.
type Grant struct {
	Org  string
	Role auth.Role
}

// People are the demo people: at least one in every role.
var People = []Person{
	{"alex.marlowe@demo.pillars.test", "Alex Marlowe", "Specialist occupational therapist, community rehabilitation", 6,
		[]Grant{{"north-vale-nhs", auth.RolePractitioner}}},
	{"tomasz.nowak@demo.pillars.test", "Tomasz Nowak", "Occupational therapist, acute medicine", 5,
		[]Grant{{"north-vale-nhs", auth.RolePractitioner}}},
	{"grace.whitfield@demo.pillars.test", "Grace Whitfield", "Advanced practitioner, hospital discharge", 7,
		[]Grant{{"riverside-council", auth.RolePractitioner}}},
	{"sam.okafor@demo.pillars.test", "Sam Okafor", "MSc occupational therapy student", 0,
		[]Grant{{"eastmoor-university", auth.RoleLearner}}},
	{"ruth.lindqvist@demo.pillars.test", "Ruth Lindqvist", "Practice educator and clinical lead", 7,
		[]Grant{{"north-vale-nhs", auth.RoleSupervisor}, {"north-vale-nhs", auth.RolePractitioner}}},
	{"dev.ramesh@demo.pillars.test", "Dev Ramesh", "Consultant occupational therapist and accredited coach", 8,
		[]Grant{{"brightpath-therapy", auth.RoleMentor}, {"brightpath-therapy", auth.RolePractitioner}}},
	{"priya.castellano@demo.pillars.test", "Priya Castellano", "Head of allied health professions education", 8,
		[]Grant{{"north-vale-nhs", auth.RoleProgrammeLead}, {"eastmoor-university", auth.RoleProgrammeLead}}},
	{"owen.pritchard@demo.pillars.test", "Owen Pritchard", "Grants panel member", 7,
		[]Grant{{"hartwell-trust", auth.RoleFunderReviewer}}},
	{"helen.achebe@demo.pillars.test", "Helen Achebe", "Grants manager", 0,
		[]Grant{{"hartwell-trust", auth.RoleFunderAdmin}}},
	{"morag.fenwick@demo.pillars.test", "Morag Fenwick", "Workforce strategy lead", 9,
		[]Grant{{"ot-association", auth.RoleWorkforceLead}}},
	{"admin@demo.pillars.test", "Pillars Administrator", "Site administrator", 0,
		[]Grant{{"ot-association", auth.RoleSiteAdmin}}},
}

// Load creates whatever part of the demo world is missing and returns how many people it added.
func Load(ctx context.Context, accounts *auth.Service, orgs *org.Service) (int, error) {
	for _, o := range Organisations {
		if _, err := orgs.BySlug(ctx, o.Slug); err == nil {
			continue
		} else if !errors.Is(err, org.ErrNotFound) {
			return 0, err
		}
		if _, err := orgs.Create(ctx, o); err != nil {
			return 0, fmt.Errorf("demo: organisation %s: %w", o.Slug, err)
		}
	}
	added := 0
	for _, p := range People {
		u, err := accounts.UserByEmail(ctx, p.Email)
		if errors.Is(err, auth.ErrNotFound) {
			u, err = accounts.CreateUser(ctx, auth.NewUser{Email: p.Email, Name: p.Name, Password: Password, JobTitle: p.JobTitle, CareerLevel: p.Level})
			var verrs valid.Errors
			if errors.As(err, &verrs) {
				return added, fmt.Errorf("demo: person %s: %v", p.Email, verrs)
			}
			added++
		}
		if err != nil {
			return added, err
		}
		for _, g := range p.Roles {
			if err := accounts.Grant(ctx, 0, u.ID, g.Org, g.Role); err != nil {
				return added, fmt.Errorf("demo: role for %s: %w", p.Email, err)
			}
		}
	}
	return added, nil
}
