package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Go has no XSD validator, so the JUnit tests check the report against the committed
// schema (testdata/junit-10.xsd, the one Jenkins' xUnit plugin validates JUnit files with)
// with this small interpreter of the XSD constructs that schema uses: global elements,
// named and anonymous complex types (mixed or not), sequence/choice content read as the
// set of allowed child elements, attributes with use="required", xs:string elements, and
// simple types restricted by a pattern. What it does not check: the order inside an
// xs:sequence and minOccurs/maxOccurs counts, which that schema only uses for
// <testsuites> (testsuite*), <properties> (property*) and rerun elements we never write.
// Where xmllint is installed, TestJUnitXmllint also runs the full validator.

type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

type xsdAttribute struct {
	typeName string
	required bool
}

type xsdComplex struct {
	mixed    bool
	attrs    map[string]xsdAttribute
	children map[string]bool
}

type xsdElement struct {
	name       string
	typeName   string // xs:string or a named complex type, when not anonymous
	complex    *xsdComplex
	simpleText bool
}

type xsdSchema struct {
	elements map[string]*xsdElement
	types    map[string]*xsdComplex
	patterns map[string]*regexp.Regexp
}

func loadXSD(t *testing.T, path string) *xsdSchema {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root xmlNode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	s := &xsdSchema{elements: map[string]*xsdElement{}, types: map[string]*xsdComplex{}, patterns: map[string]*regexp.Regexp{}}
	for _, n := range root.Children {
		name, _ := n.attr("name")
		switch n.XMLName.Local {
		case "element":
			s.elements[name] = s.element(t, n)
		case "complexType":
			s.types[name] = s.complexType(t, n)
		case "simpleType":
			for _, r := range n.Children {
				for _, p := range r.Children {
					if p.XMLName.Local == "pattern" {
						value, _ := p.attr("value")
						// XSD patterns match the whole value.
						s.patterns[name] = regexp.MustCompile(`^(?:` + value + `)$`)
					}
				}
			}
		default:
			t.Fatalf("XSD construct %s is not understood by this validator", n.XMLName.Local)
		}
	}
	return s
}

func (s *xsdSchema) element(t *testing.T, n xmlNode) *xsdElement {
	name, _ := n.attr("name")
	e := &xsdElement{name: name}
	e.typeName, _ = n.attr("type")
	e.simpleText = e.typeName == "xs:string"
	for _, c := range n.Children {
		if c.XMLName.Local == "complexType" {
			e.complex = s.complexType(t, c)
		}
	}
	return e
}

func (s *xsdSchema) complexType(t *testing.T, n xmlNode) *xsdComplex {
	c := &xsdComplex{attrs: map[string]xsdAttribute{}, children: map[string]bool{}}
	mixed, _ := n.attr("mixed")
	c.mixed = mixed == "true"
	var walk func(xmlNode)
	walk = func(m xmlNode) {
		for _, child := range m.Children {
			switch child.XMLName.Local {
			case "sequence", "choice":
				walk(child)
			case "element":
				ref, ok := child.attr("ref")
				if !ok {
					ref, _ = child.attr("name") // a local element declaration
				}
				c.children[ref] = true
			case "attribute":
				name, _ := child.attr("name")
				typeName, _ := child.attr("type")
				use, _ := child.attr("use")
				c.attrs[name] = xsdAttribute{typeName: typeName, required: use == "required"}
			default:
				t.Fatalf("XSD construct %s inside a complexType is not understood by this validator", child.XMLName.Local)
			}
		}
	}
	walk(n)
	return c
}

// validate checks a document element against its global declaration.
func (s *xsdSchema) validate(n xmlNode, path string) []error {
	decl, ok := s.elements[n.XMLName.Local]
	if !ok {
		return []error{fmt.Errorf("%s: element <%s> is not declared", path, n.XMLName.Local)}
	}
	path += "/" + n.XMLName.Local
	if name, ok := n.attr("name"); ok {
		path += "[" + name + "]"
	}
	complexType := decl.complex
	if complexType == nil && !decl.simpleText {
		complexType = s.types[decl.typeName]
	}
	var errs []error
	if complexType == nil { // xs:string: text only
		if len(n.Attrs) > 0 || len(n.Children) > 0 {
			errs = append(errs, fmt.Errorf("%s: a text-only element has attributes or children", path))
		}
		return errs
	}
	for _, a := range n.Attrs {
		attrDecl, ok := complexType.attrs[a.Name.Local]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: attribute %q is not allowed", path, a.Name.Local))
			continue
		}
		if re, ok := s.patterns[attrDecl.typeName]; ok && !re.MatchString(a.Value) {
			errs = append(errs, fmt.Errorf("%s: attribute %s=%q does not match type %s", path, a.Name.Local, a.Value, attrDecl.typeName))
		}
	}
	for name, attrDecl := range complexType.attrs {
		if _, ok := n.attr(name); attrDecl.required && !ok {
			errs = append(errs, fmt.Errorf("%s: required attribute %q is missing", path, name))
		}
	}
	if !complexType.mixed && strings.TrimSpace(n.Text) != "" {
		errs = append(errs, fmt.Errorf("%s: text %q in an element that is not mixed", path, n.Text))
	}
	for _, child := range n.Children {
		if !complexType.children[child.XMLName.Local] {
			errs = append(errs, fmt.Errorf("%s: child <%s> is not allowed", path, child.XMLName.Local))
			continue
		}
		errs = append(errs, s.validate(child, path)...)
	}
	return errs
}

func junitXSD(t *testing.T) *xsdSchema {
	return loadXSD(t, filepath.Join("testdata", "junit-10.xsd"))
}

func TestJUnitMatchesXSD(t *testing.T) {
	schema := junitXSD(t)
	for _, c := range goldenCases {
		doc := scenarioDocument(t, c)
		out := render(t, func(w *bytes.Buffer) error { return WriteJUnit(w, doc) })
		var root xmlNode
		if err := xml.Unmarshal([]byte(out), &root); err != nil {
			t.Fatalf("%s: not XML: %v", c.name, err)
		}
		if root.XMLName.Local != "testsuites" {
			t.Errorf("%s: root element <%s>, want <testsuites>", c.name, root.XMLName.Local)
		}
		for _, err := range schema.validate(root, "") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// The validator must reject what the schema forbids, or the test above proves nothing.
	for _, bad := range []string{
		`<testsuites><testsuite name="s" tests="1" failures="0"><testcase name="c"/></testsuite></testsuites>`,            // errors missing
		`<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>`,          // testcase name missing
		`<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><warning/></testsuite></testsuites>`,           // unknown element
		`<testsuites time="1s"><testsuite name="s" tests="1" failures="0" errors="0"></testsuite></testsuites>`,           // time is not a number
		`<testsuites><testsuite name="s" tests="1" failures="0" errors="0" verdict="x"></testsuite></testsuites>`,         // unknown attribute
		`<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><property name="a"/></testsuite></testsuites>`, // property outside properties
	} {
		var root xmlNode
		if err := xml.Unmarshal([]byte(bad), &root); err != nil {
			t.Fatal(err)
		}
		if errs := schema.validate(root, ""); len(errs) == 0 {
			t.Errorf("validator accepted %s", bad)
		}
	}
}

// junitView is what GitLab and Jenkins read from a JUnit report.
type junitView struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitMapping(t *testing.T) {
	tests := []struct {
		c    goldenCase
		want map[string]string // check id → failure, error, skipped, system-out or pass
	}{
		{goldenCase{scenario: "connector-missing"}, map[string]string{"connector.found": "failure", "connector.ready": "skipped", "redis.found": "pass"}},
		{goldenCase{scenario: "connector-creating"}, map[string]string{"connector.ready": "system-out"}},
		{goldenCase{scenario: "missing-subnets"}, map[string]string{"connector.range": "error"}},
		{goldenCase{scenario: "connector-network", ignore: []string{"connector.network"}}, map[string]string{"connector.network": "skipped"}},
	}
	for _, tt := range tests {
		doc := scenarioDocument(t, tt.c)
		out := render(t, func(w *bytes.Buffer) error { return WriteJUnit(w, doc) })
		var view junitView
		if err := xml.Unmarshal([]byte(out), &view); err != nil {
			t.Fatal(err)
		}
		if len(view.Suites) != 1 {
			t.Fatalf("%s: %d suites, want one per service", tt.c.scenario, len(view.Suites))
		}
		suite := view.Suites[0]
		counts := map[string]int{}
		for _, c := range suite.Cases {
			if c.Classname != "cache-service" {
				t.Errorf("%s: classname %q, want the service", c.Name, c.Classname)
			}
			kind := "pass"
			switch {
			case c.Failure != nil:
				kind = "failure"
				if c.Failure.Message == "" || !strings.Contains(c.Failure.Body, "fix: ") || !strings.Contains(c.Failure.Body, "$ gcloud ") {
					t.Errorf("%s: failure without message, fix and commands: %+v", c.Name, c.Failure)
				}
			case c.Error != nil:
				kind = "error"
			case c.Skipped != nil:
				kind = "skipped"
				if c.Skipped.Message == "" {
					t.Errorf("%s: skipped without a reason", c.Name)
				}
			case c.SystemOut != "":
				kind = "system-out"
			}
			counts[kind]++
			if want, ok := tt.want[c.Name]; ok && want != kind {
				t.Errorf("%s %s: %s, want %s", tt.c.scenario, c.Name, kind, want)
			}
		}
		if suite.Tests != len(suite.Cases) || suite.Failures != counts["failure"] || suite.Errors != counts["error"] || suite.Skipped != counts["skipped"] {
			t.Errorf("%s: suite counts tests=%d failures=%d errors=%d skipped=%d disagree with its cases %v", tt.c.scenario, suite.Tests, suite.Failures, suite.Errors, suite.Skipped, counts)
		}
		if view.Tests != suite.Tests || view.Failures != suite.Failures || view.Errors != suite.Errors {
			t.Errorf("%s: testsuites counts disagree with the suite", tt.c.scenario)
		}
	}
}

// TestJUnitXmllint runs libxml2's full XSD validator over the JUnit goldens when it is
// installed (Debian package libxml2-utils).
func TestJUnitXmllint(t *testing.T) {
	xmllint, err := lookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	for _, c := range goldenCases {
		doc := scenarioDocument(t, c)
		out := render(t, func(w *bytes.Buffer) error { return WriteJUnit(w, doc) })
		if msg, err := runXmllint(xmllint, filepath.Join("testdata", "junit-10.xsd"), out); err != nil {
			t.Errorf("%s: xmllint: %v\n%s", c.name, err, msg)
		}
	}
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }

// runXmllint validates document against the schema with xmllint, reading the document from
// standard input.
func runXmllint(xmllint, schema, document string) (string, error) {
	cmd := exec.Command(xmllint, "--noout", "--schema", schema, "-")
	cmd.Stdin = strings.NewReader(document)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
