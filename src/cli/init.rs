//! `dvcc init [DIR] [--name NAME]`: the starter project of
//! `stdlib/init/`, written into DIR, never over an existing file.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::diag::Code;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write the project (created if needed) [default: .]
    dir: Option<PathBuf>,

    /// The project's name [default: the directory's name]
    #[arg(long)]
    name: Option<String>,
}

pub fn run(cli: &Cli, args: &InitArgs) -> ExitCode {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let wanted = match &args.name {
        Some(n) => n.clone(),
        None => std::fs::canonicalize(&dir)
            .unwrap_or_else(|_| dir.clone())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let name = crate::stdlib::project_name(&wanted);
    let files = crate::stdlib::starter(&name);
    // The starter's own files, and any `.dvc` file: a directory is one
    // project, and a second `project` block would not be a starter.
    let mut taken: Vec<String> = files
        .iter()
        .map(|(f, _)| dir.join(f))
        .filter(|p| p.exists())
        .map(|p| crate::load::display(&p))
        .collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut others: Vec<String> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
            .map(|p| crate::load::display(&p))
            .filter(|p| !taken.contains(p))
            .collect();
        others.sort();
        taken.extend(others);
    }
    if !taken.is_empty() {
        eprintln!(
            "error: `dvcc init` writes a new project, and this directory holds one already: {}\n  help: give an empty or new directory: `dvcc init NEW_DIR`",
            taken.join(", ")
        );
        return ExitCode::from(2);
    }
    let shown = crate::load::display(&dir);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        for (file, text) in &files {
            // `create_new`: a file that appeared meanwhile is not replaced.
            use std::io::Write;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dir.join(file))?
                .write_all(text.as_bytes())?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        super::io_error(
            Code::WriteFailed,
            &format!(
                "cannot write the starter project into `{shown}`: {}",
                crate::load::reason(&e)
            ),
            "give a directory you can write: `dvcc init DIR`",
        );
        return ExitCode::from(2);
    }
    if !cli.quiet {
        if name != wanted && args.name.is_some() {
            eprintln!("the project is named `{name}` (lowercase letters, digits and `-`)");
        }
        eprintln!(
            "wrote project `{name}` in {shown}: {}\n\nnext:\n  dvcc lint {shown}\n  dvcc build {shown}     # workflows, Helm charts, Terraform, Prometheus rules, the handbook\n\nthen set `repo` and `registry` in {}/project.dvc to your repository and registry",
            files.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "),
            shown
        );
    }
    ExitCode::SUCCESS
}
