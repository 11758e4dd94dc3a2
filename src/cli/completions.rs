//! `calibre-native completions bash|zsh|fish`: the completion scripts clap_complete makes from
//! the clap tree (commands, subcommands, flags and their values at every level; hidden
//! commands left out). Each is checked with the real shell in `__test__/completions.spec.mjs`.
//! clap_complete costs ~120 KB of the release addon (5.14 MB to 5.27 MB, limit 6 MiB).

use clap::ValueEnum;

#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
  Bash,
  Zsh,
  Fish,
}

pub fn script(shell: Shell, command: &clap::Command) -> String {
  let mut command = command.clone();
  let name = command.get_name().to_owned();
  let mut out = Vec::new();
  match shell {
    Shell::Bash => {
      clap_complete::generate(clap_complete::Shell::Bash, &mut command, name, &mut out);
      // clap_complete 4.6 spells a hyphenated name's states two ways (`calibre__native__subcmd__x`
      // in the loop, `calibre__subcmd__native__subcmd__x` in the arms: clap-rs/clap#6421), so
      // nothing past the first word would complete. One spelling for both.
      let text =
        String::from_utf8_lossy(&out).replace("calibre__subcmd__native", "calibre__native");
      return text;
    }
    Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut command, name, &mut out),
    Shell::Fish => {
      clap_complete::generate(clap_complete::Shell::Fish, &mut command, name, &mut out)
    }
  }
  String::from_utf8_lossy(&out).into_owned()
}
