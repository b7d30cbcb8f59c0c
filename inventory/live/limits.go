package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Limits on what the APIs may send in one live run. An answer that never ends, or a
// listing whose nextPageToken never runs out, stops with an error for that resource (an
// "error" finding) instead of growing memory until --timeout.
const (
	// DefaultMaxResponseBytes bounds one API response (a gRPC message or an HTTP body).
	DefaultMaxResponseBytes = 32 << 20
	// DefaultMaxListPages bounds the follow-up pages (requests with a page token) of all
	// listings in one run; at 500 items a page that is half a million resources.
	DefaultMaxListPages = 1000
	// MaxListItems bounds the items of one listing.
	MaxListItems = 100_000
)

// ErrResponseLimit marks a call stopped because the API sent more than the limits allow.
var ErrResponseLimit = errors.New("response limit")

// responseLimits enforces the limits on one run's clients, over both transports.
type responseLimits struct {
	maxBytes int64
	maxPages int64
	pages    atomic.Int64
}

func newResponseLimits(opts Options) *responseLimits {
	l := &responseLimits{maxBytes: DefaultMaxResponseBytes, maxPages: DefaultMaxListPages}
	if opts.MaxResponseBytes > 0 {
		l.maxBytes = opts.MaxResponseBytes
	}
	if opts.MaxListPages > 0 {
		l.maxPages = int64(opts.MaxListPages)
	}
	return l
}

func (l *responseLimits) tooLarge() error {
	return fmt.Errorf("%w: the API's answer is larger than %s, the limit of one response; stopped reading it", ErrResponseLimit, byteText(l.maxBytes))
}

func (l *responseLimits) tooManyPages() error {
	return fmt.Errorf("%w: the APIs sent more than %d pages of listings in this run, the limit; stopped listing", ErrResponseLimit, l.maxPages)
}

func byteText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// page counts one follow-up page request and reports whether it is over the limit.
func (l *responseLimits) page() error {
	if l.pages.Add(1) > l.maxPages {
		return l.tooManyPages()
	}
	return nil
}

// grpcOptions bound every gRPC client: the client libraries accept messages of up to 2 GiB
// by default.
func (l *responseLimits) grpcOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(int(l.maxBytes)))),
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(l.unary)),
	}
}

// unary counts list pages and turns gRPC's "message larger than max" into ErrResponseLimit.
func (l *responseLimits) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if m, ok := req.(proto.Message); ok && hasPageToken(m) {
		if err := l.page(); err != nil {
			return status.Error(codes.OutOfRange, err.Error())
		}
	}
	err := invoker(ctx, method, req, reply, cc, opts...)
	if st, ok := status.FromError(err); ok && st.Code() == codes.ResourceExhausted && strings.Contains(st.Message(), "larger than max") {
		return status.Error(codes.OutOfRange, l.tooLarge().Error())
	}
	return err
}

// hasPageToken reports whether a list request asks for a follow-up page.
func hasPageToken(m proto.Message) bool {
	msg := m.ProtoReflect()
	field := msg.Descriptor().Fields().ByName(protoreflect.Name("page_token"))
	return field != nil && field.Kind() == protoreflect.StringKind && msg.Get(field).String() != ""
}

// httpClient is the HTTP client of the REST clients (Compute), with their usual transport
// (credentials included) wrapped in the limits.
func (l *responseLimits) httpClient(ctx context.Context, opts []option.ClientOption) (*http.Client, error) {
	base, _, err := htransport.NewClient(ctx, opts...)
	if err != nil {
		return nil, err
	}
	transport := base.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &http.Client{Transport: &limitedTransport{base: transport, limits: l}, Timeout: base.Timeout}, nil
}

// limitedTransport counts page requests and cuts response bodies at the limit.
type limitedTransport struct {
	base   http.RoundTripper
	limits *responseLimits
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("pageToken") != "" {
		if err := t.limits.page(); err != nil {
			return nil, err
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.limits.maxBytes {
		resp.Body.Close()
		return nil, t.limits.tooLarge()
	}
	resp.Body = &limitedBody{body: resp.Body, remaining: t.limits.maxBytes, limits: t.limits}
	return resp, nil
}

// limitedBody fails a read past the limit instead of returning more.
type limitedBody struct {
	body      io.ReadCloser
	remaining int64
	limits    *responseLimits
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.remaining <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.body.Read(one[:]); n > 0 {
			return 0, b.limits.tooLarge()
		}
		return b.body.Read(p)
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.body.Read(p)
	b.remaining -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }

// limitDetail is the problem detail of a call stopped by a limit, or "".
func limitDetail(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	prefix := ErrResponseLimit.Error() + ": "
	if i := strings.Index(msg, prefix); i >= 0 {
		return firstLine(msg[i+len(prefix):])
	}
	return ""
}
