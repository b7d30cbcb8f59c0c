package fakegcp

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/iam/apiv1/iampb"
	"cloud.google.com/go/resourcemanager/apiv3/resourcemanagerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/vpcdoctor/vpcdoctor/inventory"
)

// resourceManager serves Resource Manager v3 projects.get and projects.getIamPolicy from
// the snapshot: a project is known by id or number when the snapshot ties the two
// (project descriptions, or the evidence inventory.ProjectNumber accepts as certain), and
// its policy is the snapshot's IAM policy of that number. Anything else answers
// PermissionDenied, as the API does for a project or policy the caller may not see or that
// does not exist ("Permission is denied if the policy or the resource do not exist").
type resourceManager struct {
	resourcemanagerpb.UnimplementedProjectsServer
	s *Server
}

// projectByName resolves projects/ID or projects/NUMBER to the project's id and number.
func (d *dataset) projectByName(name string) (id, number string, ok bool) {
	project, found := strings.CutPrefix(name, "projects/")
	if !found || project == "" || strings.Contains(project, "/") {
		return "", "", false
	}
	if isProjectNumber(project) {
		pi, ok := d.inv.ProjectID(project)
		if !ok || pi.Weak {
			return "", "", false
		}
		return pi.ID, project, true
	}
	pi, ok := d.inv.ProjectNumber(project)
	if !ok || pi.Weak {
		return "", "", false
	}
	return project, pi.Number, true
}

// projectProblem is the failure recorded in the snapshot for a project call, if any.
func (d *dataset) projectProblem(kind inventory.Kind, name string) (codes.Code, string, bool) {
	if code, ok := d.problems[string(kind)+"|"+name]; ok {
		return code, fmt.Sprintf("%s %s is recorded in the snapshot as %s", kind, name, code), true
	}
	return codes.OK, "", false
}

func (r *resourceManager) GetProject(_ context.Context, req *resourcemanagerpb.GetProjectRequest) (*resourcemanagerpb.Project, error) {
	d := r.s.data
	if code, why, ok := d.projectProblem(inventory.KindProject, req.GetName()); ok {
		return nil, status.Error(code, why)
	}
	id, number, ok := d.projectByName(req.GetName())
	if !ok {
		return nil, status.Errorf(codes.PermissionDenied, "the snapshot does not tie %s to a project id and number", req.GetName())
	}
	return &resourcemanagerpb.Project{
		Name: "projects/" + number, ProjectId: id, DisplayName: id,
		State: resourcemanagerpb.Project_ACTIVE,
	}, nil
}

func (r *resourceManager) GetIamPolicy(_ context.Context, req *iampb.GetIamPolicyRequest) (*iampb.Policy, error) {
	d := r.s.data
	if code, why, ok := d.projectProblem(inventory.KindIAMPolicy, req.GetResource()); ok {
		return nil, status.Error(code, why)
	}
	if _, number, ok := d.projectByName(req.GetResource()); ok {
		for _, p := range d.inv.IAMPolicies {
			if p.ProjectNumber == number {
				return proto.Clone(p.Policy).(*iampb.Policy), nil
			}
		}
	}
	return nil, status.Errorf(codes.PermissionDenied, "the snapshot holds no IAM policy of %s", req.GetResource())
}
