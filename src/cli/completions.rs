//! `calibre-native completions bash|zsh|fish`: completion scripts made from the clap tree
//! (commands, subcommands and long flags at every level; hidden commands left out). Written
//! here rather than with clap_complete, which cost ~50 KB of the addon for five shells.

use clap::ValueEnum;

#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
  Bash,
  Zsh,
  Fish,
}

/// One command of the tree: its path (` synthetic pages`), visible subcommands and long flags.
struct Node {
  path: String,
  words: Vec<String>,
}

fn walk(command: &clap::Command, path: String, out: &mut Vec<Node>) {
  let subcommands: Vec<&clap::Command> = command
    .get_subcommands()
    .filter(|c| !c.is_hide_set())
    .collect();
  let mut words: Vec<String> = subcommands
    .iter()
    .map(|c| c.get_name().to_owned())
    .collect();
  words.extend(
    command
      .get_arguments()
      .filter(|a| !a.is_hide_set())
      .filter_map(|a| a.get_long())
      .map(|long| format!("--{long}")),
  );
  words.push("--help".to_owned());
  out.push(Node {
    path: path.clone(),
    words,
  });
  for sub in subcommands {
    walk(sub, format!("{path} {}", sub.get_name()), out);
  }
}

pub fn script(shell: Shell, command: &clap::Command) -> String {
  let mut nodes = Vec::new();
  walk(command, String::new(), &mut nodes);
  match shell {
    Shell::Bash => bash(&nodes),
    // zsh runs the bash script through its bash emulation (`source <(... completions zsh)`).
    Shell::Zsh => format!(
      "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n{}",
      bash(&nodes)
    ),
    Shell::Fish => fish(&nodes),
  }
}

fn bash(nodes: &[Node]) -> String {
  let known: Vec<String> = nodes
    .iter()
    .filter(|n| !n.path.is_empty())
    .map(|n| format!("\"{}\"", n.path))
    .collect();
  let cases: String = nodes
    .iter()
    .map(|n| format!("    \"{}\") opts=\"{}\" ;;\n", n.path, n.words.join(" ")))
    .collect();
  format!(
    r#"_calibre_native() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" opts="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${{COMP_WORDS[i]}}"
    case "$path $w" in
      {}) path="$path $w" ;;
    esac
  done
  case "$path" in
{cases}  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
complete -o default -F _calibre_native calibre-native
"#,
    known.join("|")
  )
}

fn fish(nodes: &[Node]) -> String {
  let known: Vec<String> = nodes
    .iter()
    .filter(|n| !n.path.is_empty())
    .map(|n| format!("'{}'", n.path))
    .collect();
  let mut out = format!(
    r#"function __calibre_native_path
    set -l known {}
    set -l path ''
    for w in (commandline -opc)[2..-1]
        contains -- "$path $w" $known; and set path "$path $w"
    end
    test "$path" = "$argv[1]"
end
"#,
    known.join(" ")
  );
  for node in nodes {
    let (flags, words): (Vec<&String>, Vec<&String>) =
      node.words.iter().partition(|w| w.starts_with("--"));
    let condition = format!("__calibre_native_path '{}'", node.path);
    if !words.is_empty() {
      let words: Vec<&str> = words.iter().map(|w| w.as_str()).collect();
      out.push_str(&format!(
        "complete -c calibre-native -n \"{condition}\" -a '{}'\n",
        words.join(" ")
      ));
    }
    for flag in flags {
      out.push_str(&format!(
        "complete -c calibre-native -n \"{condition}\" -l {}\n",
        &flag[2..]
      ));
    }
  }
  out
}
