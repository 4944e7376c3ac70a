//! The Leptos settings of this build, and the check at start-up that the site
//! files the pages will link are really there.
//!
//! leptos_config 0.8.10 reads every `LEPTOS_*` setting from the environment at run
//! time and, but for the output name, knows nothing of the build: a binary built
//! with `hash-files = true` but started without `LEPTOS_HASH_FILES=true` links
//! `/pkg/tasks.css` and `/pkg/tasks.js`, which do not exist, and every page is
//! unstyled and never hydrates. So the build's own settings (which cargo-leptos
//! passes to the compiler) are the defaults here, and the environment overrides
//! only what it names. Guarded by the unit tests below and, end to end, by
//! `the_server_refuses_to_start_when_its_pages_would_link_missing_files` and the
//! Playwright suite, whose server is started without any of the build's settings.

use std::path::{Path, PathBuf};

use leptos::prelude::LeptosOptions;

/// The settings `cargo leptos build` compiled this binary with, where it set them.
struct Build {
    output_name: Option<&'static str>,
    site_pkg_dir: Option<&'static str>,
    hash_files: Option<&'static str>,
    hash_file: Option<&'static str>,
}

const THIS_BUILD: Build = Build {
    output_name: option_env!("LEPTOS_OUTPUT_NAME"),
    site_pkg_dir: option_env!("LEPTOS_SITE_PKG_DIR"),
    hash_files: option_env!("LEPTOS_HASH_FILES"),
    hash_file: option_env!("LEPTOS_HASH_FILE_NAME"),
};

/// The Leptos settings: each from the environment when it is set there, else as
/// this binary was built.
pub fn options(lookup: impl Fn(&str) -> Option<String>) -> Result<LeptosOptions, String> {
    let mut options = leptos::prelude::get_configuration(None)
        .map_err(|error| format!("reading the Leptos settings failed: {error}"))?
        .leptos_options;
    apply_build_defaults(&mut options, &THIS_BUILD, lookup)?;
    Ok(options)
}

fn apply_build_defaults(
    options: &mut LeptosOptions,
    build: &Build,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let unset = |var: &str| lookup(var).is_none_or(|v| v.trim().is_empty());
    if unset("LEPTOS_OUTPUT_NAME") {
        if let Some(name) = build.output_name {
            options.output_name = name.into();
        }
    }
    if unset("LEPTOS_SITE_PKG_DIR") {
        if let Some(dir) = build.site_pkg_dir {
            options.site_pkg_dir = dir.into();
        }
    }
    if unset("LEPTOS_HASH_FILE_NAME") {
        if let Some(file) = build.hash_file {
            options.hash_file = file.into();
        }
    }
    if unset("LEPTOS_HASH_FILES") {
        if let Some(hash) = build.hash_files {
            options.hash_files = hash.trim().parse().map_err(|_| {
                format!("this build's LEPTOS_HASH_FILES is `{hash}`, not true or false")
            })?;
        }
    }
    Ok(())
}

/// The files every page links, under the site root: the script, the WebAssembly
/// and the stylesheet, with their hashed names when the build hashed them (from
/// `hash_file` beside `binary`).
pub fn linked_files(options: &LeptosOptions, binary: &Path) -> Result<Vec<PathBuf>, String> {
    let name = options.output_name.as_ref();
    let (mut js, mut wasm, mut css) = (name.to_owned(), name.to_owned(), name.to_owned());
    if options.hash_files {
        let hash_path = binary
            .parent()
            .unwrap_or(Path::new("."))
            .join(options.hash_file.as_ref());
        let hashes = std::fs::read_to_string(&hash_path).map_err(|error| {
            format!(
                "file hashing is on (LEPTOS_HASH_FILES), but {} cannot be read ({error}). \
                 Copy the hash.txt that `cargo leptos build` wrote beside the binary \
                 (target/<profile>/hash.txt) next to it, or set LEPTOS_HASH_FILES=false \
                 if the site was built without hashed names",
                hash_path.display()
            )
        })?;
        for (kind, hash) in hashes.lines().filter_map(|line| line.split_once(':')) {
            let target = match kind.trim() {
                "js" => &mut js,
                "wasm" => &mut wasm,
                "css" => &mut css,
                _ => continue,
            };
            target.push('.');
            target.push_str(hash.trim());
        }
    } else if THIS_BUILD.output_name.is_none() {
        // Leptos 0.8.23 (`hydration/mod.rs`) links wasm-bindgen's own name then.
        wasm.push_str("_bg");
    }
    let pkg = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    Ok(vec![
        pkg.join(format!("{js}.js")),
        pkg.join(format!("{wasm}.wasm")),
        pkg.join(format!("{css}.css")),
    ])
}

/// Refuses settings that would serve pages linking files that are not there.
pub fn check(options: &LeptosOptions, binary: &Path) -> Result<(), String> {
    let missing: Vec<String> = linked_files(options, binary)?
        .into_iter()
        .filter(|file| !file.is_file())
        .map(|file| file.display().to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the pages would link files that do not exist: {}. Check LEPTOS_SITE_ROOT \
         (now `{}`: the site folder `cargo leptos build` made, target/site by default) \
         and LEPTOS_HASH_FILES (now {}: whether that build hashed its file names; \
         leave it unset to use this binary's own setting)",
        missing.join(", "),
        options.site_root,
        options.hash_files
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_with_hashes() -> Build {
        Build {
            output_name: Some("tasks"),
            site_pkg_dir: Some("pkg"),
            hash_files: Some("true"),
            hash_file: Some("hash.txt"),
        }
    }

    fn default_options() -> LeptosOptions {
        LeptosOptions::builder().output_name("other").build()
    }

    #[test]
    fn a_binary_built_with_hashed_names_links_them_when_the_environment_says_nothing() {
        let mut options = default_options();
        apply_build_defaults(&mut options, &built_with_hashes(), |_| None).unwrap();
        assert!(options.hash_files);
        assert_eq!(options.output_name.as_ref(), "tasks");
    }

    #[test]
    fn the_environment_still_overrides_the_build() {
        let mut options = default_options();
        options.hash_files = false;
        let lookup = |var: &str| (var == "LEPTOS_HASH_FILES").then(|| "false".to_owned());
        apply_build_defaults(&mut options, &built_with_hashes(), lookup).unwrap();
        assert!(!options.hash_files);
    }

    fn scratch_site(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tasks-site-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site/pkg")).unwrap();
        dir
    }

    #[test]
    fn settings_that_link_missing_files_are_refused_with_the_files_named() {
        let dir = scratch_site("missing");
        for file in ["tasks.abc.js", "tasks.def.wasm", "tasks.ghi.css"] {
            std::fs::write(dir.join("site/pkg").join(file), "").unwrap();
        }
        std::fs::write(dir.join("hash.txt"), "js: abc\nwasm: def\ncss: ghi\n").unwrap();
        let mut options = default_options();
        options.output_name = "tasks".into();
        options.site_root = dir.join("site").display().to_string().into();
        let binary = dir.join("tasks");

        options.hash_files = true;
        assert_eq!(check(&options, &binary), Ok(()));

        options.hash_files = false;
        let error = check(&options, &binary).unwrap_err();
        assert!(
            error.contains("tasks.js") && error.contains("LEPTOS_HASH_FILES"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hashed_names_without_their_hash_file_are_refused() {
        let dir = scratch_site("nohash");
        let mut options = default_options();
        options.hash_files = true;
        options.site_root = dir.join("site").display().to_string().into();
        let error = check(&options, &dir.join("tasks")).unwrap_err();
        assert!(error.contains("hash.txt"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
