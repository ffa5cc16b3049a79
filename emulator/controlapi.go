package emulator

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The server's side of the control API (emulator/control): the backend it drives, the
// state the server starts with (sample data, seeds, the signed-in user) and how a reset
// returns to it.

// initControl sets up the journal and the control API, and loads the start-up state
// into the default tenant.
func (s *Server) initControl() error {
	c := &s.cfg.control
	s.journal = control.NewJournal(c.size())
	s.started = s.cfg.now()
	if err := s.initInject(); err != nil {
		return err
	}
	s.control = control.New(control.Config{Backend: controlBackend{s}, Journal: s.journal,
		WriteError: s.writeError, Now: s.cfg.now, Start: s.started, Logger: s.cfg.logger,
		MaxBodyBytes: s.cfg.maxBodyBytes, Faults: s.faults, Stubs: s.stubs})

	var seeds []fixture
	if c.sampleData {
		seeds = append(seeds, fixture{name: "sample data", data: control.SampleData()})
	}
	seeds = append(seeds, c.seeds...)
	signedIn := c.signedIn
	if signedIn == "" && c.sampleData && s.cfg.singletons[behavior.SignedInSingleton] == "" {
		signedIn = control.SampleSignedInUser
	}
	if len(seeds) > 0 {
		// A store that holds data already (a persistent one) keeps it: the seeds are
		// only checked, as they would load into an empty tenant (the check's write
		// clears the tenant, and is rolled back).
		load := s.tenantEmpty(store.DefaultTenant)
		res, err := s.importFixtures(store.DefaultTenant, seeds, !load, !load)
		if err != nil {
			return fmt.Errorf("emulator: %s", errorText(err))
		}
		if load {
			s.cfg.logger.Info("start-up data loaded", "tenant", store.DefaultTenant,
				"fixtures", len(seeds), "entities", res.Entities, "references", res.References)
		} else {
			s.cfg.logger.Info("start-up data checked, not loaded: the default tenant holds data already",
				"fixtures", len(seeds))
		}
	}
	if signedIn != "" {
		f, err := s.signedInUser(signedIn)
		if err != nil {
			return err
		}
		if f != nil {
			seeds = append(seeds, *f)
		}
	}
	s.startup = seeds
	return nil
}

// errorText is an error's message: a Graph error's message alone.
func errorText(err error) string {
	if ge, ok := err.(*odata.Error); ok {
		return ge.Message
	}
	return err.Error()
}

// signedInUser makes /me stand for the user named by idOrUPN (an id, or a user principal
// name matched by the behaviour's key alias), and creates that user in the default
// tenant when it does not exist. It returns the fixture that created it, for resets.
func (s *Server) signedInUser(idOrUPN string) (*fixture, error) {
	name := behavior.SignedInSingleton
	version := s.defaultVersion()
	schema := s.cfg.schemas[version]
	sg := schema.Singleton(name)
	sc := s.schemaCache(schema)
	if sg == nil || sc.setOfType[sg.EntityType()] == nil {
		// A schema of its own (--schema) may have no such singleton: map it anyway,
		// for the versions that have one.
		s.cfg.logger.Warn("the signed-in user is not looked up: the schema has no singleton of an entity set's type with that name",
			"singleton", name, "version", version, "user", idOrUPN)
		s.cfg.singletons[name] = idOrUPN
		return nil, nil
	}
	set := sc.setOfType[sg.EntityType()]
	r := &resource{sources: sc.sources[set]}
	id := ""
	_ = s.store.Read(store.DefaultTenant, func(v store.View) error {
		for _, c := range r.sources {
			if e, err := v.Get(c, idOrUPN); err == nil {
				id = e.ID
				return nil
			}
		}
		if prop := s.behavior.KeyAlias(schema, sg.EntityType()); prop != "" {
			if e, _, ok := s.findBy(v, r, prop, idOrUPN); ok {
				id = e.ID
			}
		}
		return nil
	})
	var f *fixture
	if id == "" {
		var body []byte
		id, body = behavior.SignedInUser(idOrUPN, s.cfg.newID)
		data := []byte(`{` + string(odata.AppendString(nil, set.Name)) + `:[` + string(body) + `]}`)
		f = &fixture{name: "signed-in user " + idOrUPN, data: data}
		if _, err := s.importFixtures(store.DefaultTenant, []fixture{*f}, false, false); err != nil {
			var ge *odata.Error
			if errors.As(err, &ge) && ge.Status == http.StatusBadRequest && sg.EntityType().QualifiedName() != behavior.SignedInUserType {
				// Not Graph's user (a schema of its own): map the singleton alone.
				s.cfg.logger.Warn("the signed-in user is not created: its set's type is not Graph's user",
					"singleton", name, "set", set.Name, "user", idOrUPN, "error", ge.Message)
				s.cfg.singletons[name] = idOrUPN
				return nil, nil
			}
			return nil, fmt.Errorf("emulator: creating the signed-in user %q: %s", idOrUPN, errorText(err))
		}
		s.cfg.logger.Info("signed-in user created", "singleton", name, "set", set.Name, "id", id,
			"userPrincipalName", gjson.GetBytes(body, "userPrincipalName").Str)
	}
	s.cfg.singletons[name] = id
	return f, nil
}

// tenantEmpty reports whether a tenant holds no entity of any set or singleton.
func (s *Server) tenantEmpty(tenant string) bool {
	empty := true
	_ = s.store.Read(tenant, func(v store.View) error {
		for schema := range s.indexes {
			for _, set := range schema.EntitySets() {
				if v.Len(store.Set(set.Name)) > 0 {
					empty = false
					return nil
				}
			}
			for _, sg := range schema.Singletons() {
				if _, err := v.Get(store.Singleton(sg.Name), sg.Name); err == nil {
					empty = false
					return nil
				}
			}
		}
		return nil
	})
	return empty
}

// resetState returns a tenant ("" for every tenant) to its state at start: the default
// tenant to the start-up fixtures (in one write), others to nothing.
func (s *Server) resetState(tenant string) error {
	if tenant != "" {
		return s.resetTenant(tenant)
	}
	if tl, ok := s.store.(store.TenantLister); ok {
		for _, t := range tl.Tenants() {
			if t != store.DefaultTenant {
				s.store.Reset(t)
				s.content.ResetContent(t)
			}
		}
	} else {
		s.store.ResetAll()
		if mc, ok := s.content.(*store.MemoryContent); ok {
			mc.ResetAllContent() // the server's own content, when the store keeps none
		}
	}
	return s.resetTenant(store.DefaultTenant)
}

func (s *Server) resetTenant(tenant string) error {
	if tenant == store.DefaultTenant && len(s.startup) > 0 {
		_, err := s.importFixtures(tenant, s.startup, true, false)
		return err
	}
	s.store.Reset(tenant)
	s.content.ResetContent(tenant) // the server's own content, when the store keeps none
	return nil
}

// tenants lists the tenants that hold state, when the store can tell.
func (s *Server) tenants() []string {
	if tl, ok := s.store.(store.TenantLister); ok {
		return tl.Tenants()
	}
	return nil
}

// controlBackend is the Server as the control API sees it.
type controlBackend struct{ s *Server }

var _ control.Backend = controlBackend{}

func (b controlBackend) Versions() []string { return b.s.versions() }

func (b controlBackend) Tenants() []string { return b.s.tenants() }

func (b controlBackend) ResetState(tenant string) error { return b.s.resetState(tenant) }

func (b controlBackend) Export(tenant, version string) ([]byte, error) {
	return b.s.exportFixture(tenant, version)
}

func (b controlBackend) Import(tenant string, data []byte, replace bool) (control.ImportResult, error) {
	return b.s.importFixtures(tenant, []fixture{{data: data}}, replace, false)
}

func (b controlBackend) Outbox(tenant, to string) ([]byte, error) {
	var body []byte
	err := b.s.store.Read(tenant, func(v store.View) error {
		body = b.s.behavior.Outbox(v, to)
		return nil
	})
	return body, err
}

func (b controlBackend) ClearOutbox(tenant string) (int, error) {
	n := 0
	err := b.s.store.Write(tenant, func(tx store.Tx) error {
		var err error
		n, err = b.s.behavior.ClearOutbox(tx)
		return err
	})
	return n, err
}

// OutboxPath is where tests read the mail the emulator would have sent out of the
// tenant (control.API.Mail, behavior.Outbox).
const OutboxPath = control.Prefix + "mail"

// isControl reports whether a request is for the control API, which the journal, the
// authentication and the faults pass by.
func isControl(r *http.Request) bool {
	return control.IsPath(r.URL.Path)
}
