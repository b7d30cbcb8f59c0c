// Package live reads the resources on the path of a Cloud Run service (or of every service
// in a region) from the Google Cloud APIs into an inventory.Inventory, through the official
// client libraries: concurrent calls, each resource requested once, every failure recorded
// as a Problem that names the permission or API it needs.
package live

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// Options say what Load reads and how.
type Options struct {
	// Project and Region locate the Cloud Run service(s); both are required.
	Project string
	Region  string
	// Service is the Cloud Run service to check (short or full name); empty loads every
	// service in the region.
	Service string
	// Redis names the Memorystore instance (short or full name); empty lists every instance
	// of the project so the selection can match the service's env.
	Redis string
	// Connector, when set, is loaded in place of (as well as) the service's own connector.
	Connector string
	// Endpoints override the APIs' endpoints (gcloud's api_endpoint_overrides).
	Endpoints inventory.Endpoints
	// ClientOptions are added to every client, e.g. option.WithCredentialsFile. When any are
	// given, Load does not look for Application Default Credentials itself.
	ClientOptions []option.ClientOption
	// Timeout bounds the whole load (0: only ctx bounds it). A call still running then is
	// recorded as an Unavailable problem.
	Timeout time.Duration
	// MaxConcurrency caps the calls in flight (default DefaultMaxConcurrency).
	MaxConcurrency int
	// MaxResponseBytes bounds one API response (default DefaultMaxResponseBytes).
	MaxResponseBytes int64
	// MaxListPages bounds the follow-up list pages of the run (default DefaultMaxListPages).
	MaxListPages int
	// DisableRetries answers every error at once instead of letting the client libraries
	// retry Unavailable and 503 (which they do for minutes). Tests use it.
	DisableRetries bool
}

// DefaultMaxConcurrency is the number of API calls Load keeps in flight by default.
const DefaultMaxConcurrency = 64

// ErrNoCredentials means no usable Google Cloud credentials were found or the API rejected
// them. Its text is the one line a user needs; the CLI exits 2 on it.
var ErrNoCredentials = errors.New("no usable Google Cloud credentials: run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)")

// liveDefaultPageSize is asked of every list call: few round trips, modest responses.
const liveDefaultPageSize = 500

// Load reads the resources on the path of one Cloud Run service (or of every service in
// the region) from the Google Cloud APIs. Calls that do not depend on each other run
// concurrently, so the wall time follows the dependency depth (service, then connector,
// network, subnetworks and firewalls, then a Shared VPC host's subnet), not the number of
// calls; each resource is requested once even when several services share it.
//
// A resource that cannot be read is recorded as a Problem in the inventory, never returned
// as an error. Load returns an error only when it cannot start (a *SelectError for a
// missing project or region, an *InputError for a bad endpoint override) or when there are
// no usable credentials (wrapping ErrNoCredentials).
func Load(ctx context.Context, opts Options) (*inventory.Inventory, error) {
	if opts.Project == "" {
		return nil, &inventory.SelectError{Msg: "no project: pass --project PROJECT, set CLOUDSDK_CORE_PROJECT, or run `gcloud config set project PROJECT`"}
	}
	if opts.Region == "" {
		return nil, &inventory.SelectError{Msg: "no region: pass --region REGION, set CLOUDSDK_RUN_REGION, or run `gcloud config set run/region REGION`"}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	clients, err := newLiveClients(ctx, opts)
	if err != nil {
		return nil, err
	}
	l := newLiveLoader(clients, opts)
	// A call abandoned at the deadline may still be running (the Compute REST client does
	// not pass the context to its HTTP requests); the clients are closed only once every
	// call has returned, so closing never races a request in flight.
	defer func() {
		go func() {
			l.inflight.Wait()
			clients.close()
		}()
	}()
	l.start(ctx)
	l.wg.Wait()
	l.panicked.Rethrow()
	inventory.DropInvalid(l.inv)
	l.inv.SortResources()
	sortProjects(l.inv)
	if l.unauthenticated != "" {
		return l.inv, fmt.Errorf("%w (the API said: %s)", ErrNoCredentials, l.unauthenticated)
	}
	return l.inv, nil
}

// liveLoader is the state of one Load run.
type liveLoader struct {
	clients  *liveClients
	opts     Options
	sem      chan struct{}
	callOpts []gax.CallOption
	wg       sync.WaitGroup
	// inflight counts the API calls still running, including those abandoned at the deadline.
	inflight sync.WaitGroup
	// panicked holds a worker's panic, re-raised once the workers are done.
	panicked inventory.PanicBox

	mu   sync.Mutex
	inv  *inventory.Inventory
	memo map[string]chan struct{}
	// unauthenticated is the API's message when it rejected the credentials.
	unauthenticated string
	// redisListed: the project's Redis listing succeeded, so an env host that matches no
	// listed instance matches no instance of the project at all.
	redisListed bool
	// redisRef is the instance --redis names, when it was given and is well formed. It is
	// set before any call starts and only read afterwards.
	redisRef *inventory.LocationRef
	// allTraffic: a service sends all its egress through the VPC, so the Cloud Routers of
	// egressProjects (the projects of the networks the paths' traffic enters) are needed.
	allTraffic     bool
	egressProjects map[string]bool
}

func newLiveLoader(clients *liveClients, opts Options) *liveLoader {
	limit := opts.MaxConcurrency
	if limit <= 0 {
		limit = DefaultMaxConcurrency
	}
	l := &liveLoader{
		clients: clients,
		opts:    opts,
		sem:     make(chan struct{}, limit),
		inv:     &inventory.Inventory{Sources: map[string]string{}},
		memo:    map[string]chan struct{}{},

		egressProjects: map[string]bool{},
	}
	if opts.DisableRetries {
		l.callOpts = []gax.CallOption{gax.WithRetry(func() gax.Retryer { return nil })}
	}
	if opts.Redis != "" {
		ref, err := inventory.ParseLocation(opts.Redis, "instances")
		if !strings.Contains(opts.Redis, "/") {
			ref, err = inventory.LocationRef{Project: opts.Project, Region: opts.Region, Collection: "instances", Name: opts.Redis}, nil
		}
		if err == nil { // a malformed full name is reported by Select
			l.redisRef = &ref
		}
	}
	return l
}

// once runs fetch in its own goroutine the first time key is asked for, and returns a
// channel closed when that fetch has finished. Later callers share the same fetch: every
// resource is requested once per run, however many services need it.
func (l *liveLoader) once(ctx context.Context, key string, fetch func(context.Context)) <-chan struct{} {
	l.mu.Lock()
	done, ok := l.memo[key]
	if !ok {
		done = make(chan struct{})
		l.memo[key] = done
	}
	l.mu.Unlock()
	if !ok {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer close(done)
			defer l.panicked.Capture()
			fetch(ctx)
		}()
	}
	return done
}

// started reports whether key was asked for, and its done channel.
func (l *liveLoader) started(key string) (<-chan struct{}, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	done, ok := l.memo[key]
	return done, ok
}

// spawn runs work in its own goroutine tracked by the run's wait group; work waits for
// fetches it depends on there, never while holding a call slot.
func (l *liveLoader) spawn(work func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer l.panicked.Capture()
		work()
	}()
}

// call holds one of the run's call slots while an API call runs, and returns when the call
// does or when ctx is done, whichever comes first: the Compute REST client's list calls
// do not pass their context to the HTTP request, so a stalled listing would otherwise
// outlive --timeout. An abandoned call finishes in the background; its result is dropped
// (the caller reads nothing after an error).
func (l *liveLoader) call(ctx context.Context, do func() error) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.sem }()
	result := make(chan error, 1)
	l.inflight.Add(1)
	go func() {
		defer l.inflight.Done()
		defer func() {
			if r := recover(); r != nil {
				// Re-raised on the caller's goroutine, which spawn or once guards.
				result <- &inventory.WorkerPanic{Value: r, Stack: debug.Stack()}
			}
		}()
		result <- do()
	}()
	select {
	case err := <-result:
		if p, ok := err.(*inventory.WorkerPanic); ok {
			panic(p)
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recorded reports whether the run recorded a problem with this code for a resource.
func (l *liveLoader) recorded(kind inventory.Kind, name string, code inventory.Code) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.inv.Problems {
		if p.Kind == kind && p.Name == name && p.Code == code {
			return true
		}
	}
	return false
}

// add puts a resource in the inventory through Inventory.Add: its secrets scrubbed (see
// inventory/secrets.go), its kind marked as read. The caller holds the lock. Every call
// passes the kind of the message's type, so an error is a bug, raised as one.
func (l *liveLoader) add(kind inventory.Kind, msg proto.Message) {
	if err := l.inv.Add(kind, msg, ""); err != nil {
		panic(err)
	}
}

func (l *liveLoader) addProblem(p *inventory.Problem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inv.AddProblem(p)
}

// collect drains a client-library iterator (every page) into a slice.
func collect[T any](it interface{ Next() (T, error) }) ([]T, error) {
	var items []T
	for {
		item, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		if len(items) == MaxListItems {
			return items, fmt.Errorf("%w: the listing has more than %d items, the limit; stopped listing", ErrResponseLimit, MaxListItems)
		}
		items = append(items, item)
	}
}

// sortProjects orders the project descriptions and IAM policies, which concurrent calls
// add in any order, by project id and by source (which names the project).
func sortProjects(inv *inventory.Inventory) {
	sort.Slice(inv.Projects, func(i, j int) bool { return inv.Projects[i].ID < inv.Projects[j].ID })
	sort.Slice(inv.IAMPolicies, func(i, j int) bool { return inv.IAMPolicies[i].Source < inv.IAMPolicies[j].Source })
}
