package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Shell completion comes from the CLI library: given --generate-bash-completion as the last
// argument, vpcdoctor prints the commands (or a command's flags) that can come next. The
// completion command prints the small shell function that asks for them; install it with
//
//	source <(vpcdoctor completion bash)      # in ~/.bashrc
//	source <(vpcdoctor completion zsh)       # in ~/.zshrc
//	vpcdoctor completion fish > ~/.config/fish/completions/vpcdoctor.fish

const bashCompletion = `# vpcdoctor completion for bash: source <(vpcdoctor completion bash)
_vpcdoctor_complete() {
  local words
  if [[ "${COMP_WORDS[COMP_CWORD]}" == -* ]]; then
    words=$("${COMP_WORDS[0]}" "${COMP_WORDS[@]:1:COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[0]}" "${COMP_WORDS[@]:1:COMP_CWORD-1}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${words}" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o bashdefault -o default -F _vpcdoctor_complete vpcdoctor
`

const zshCompletion = `#compdef vpcdoctor
# vpcdoctor completion for zsh: source <(vpcdoctor completion zsh)
_vpcdoctor() {
  local -a candidates
  if [[ "${words[CURRENT]}" == -* ]]; then
    candidates=("${(@f)$(${words[1]} ${words[@]:1:CURRENT-1} --generate-bash-completion 2>/dev/null)}")
  else
    candidates=("${(@f)$(${words[1]} ${words[@]:1:CURRENT-2} --generate-bash-completion 2>/dev/null)}")
  fi
  compadd -a candidates
}
compdef _vpcdoctor vpcdoctor
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script: bash, zsh or fish",
		UsageText: "vpcdoctor completion bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usage("completion takes one shell: bash, zsh or fish")
			}
			switch shell := c.Args().First(); shell {
			case "bash":
				fmt.Fprint(c.App.Writer, bashCompletion)
			case "zsh":
				fmt.Fprint(c.App.Writer, zshCompletion)
			case "fish":
				script, err := c.App.ToFishCompletion()
				if err != nil {
					return fmt.Errorf("fish completion: %w", err)
				}
				fmt.Fprint(c.App.Writer, script)
			default:
				return usage("completion %q: want bash, zsh or fish%s", shell, didYouMean(shell, []string{"bash", "zsh", "fish"}))
			}
			return nil
		},
	}
}
