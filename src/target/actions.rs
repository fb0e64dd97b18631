//! The GitHub Actions dvcc pins: the ones its deploy jobs use, and the ones
//! the stdlib templates use (read from the stdlib's own source, so a pin is
//! written once). Checks suggest these pins for unpinned references; the
//! workflow backend writes their versions as comments.

/// `actions/checkout`, used by every generated deploy job.
pub const CHECKOUT: (&str, &str) = ("actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0");
/// `aws-actions/configure-aws-credentials`: the deploy jobs' OIDC login.
pub const AWS_CREDENTIALS: (&str, &str) = (
    "aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838",
    "v5.0.0",
);
/// `azure/setup-helm`: Helm for the deploy jobs.
pub const SETUP_HELM: (&str, &str) = ("azure/setup-helm@1a275c3b69536ee54be43f2070a358922e12c8d4", "v4.3.1");

/// The actions the generated deploy jobs use: (`owner/repo@SHA`, version).
pub const DEPLOY_ACTIONS: [(&str, &str); 3] = [CHECKOUT, AWS_CREDENTIALS, SETUP_HELM];

/// Releases of widely used actions: (repository, the full SHA of the
/// release's tag, the release), the newest of each of their last major
/// versions, read from the actions' own repositories. A pin suggestion
/// keeps the major version the user wrote.
const RELEASES: &[(&str, &str, &str)] = &[
    ("actions/checkout", "11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"),
    ("actions/checkout", "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09", "v5.1.0"),
    ("actions/checkout", "d23441a48e516b6c34aea4fa41551a30e30af803", "v6.1.0"),
    ("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    ("actions/cache", "2b250bc32ad02700b996b496c14ac8c2840a2991", "v2.1.8"),
    ("actions/cache", "6f8efc29b200d32929f49075959781ed54ec270c", "v3.5.0"),
    ("actions/cache", "0057852bfaa89a56745cba8c7296529d2fc39830", "v4.3.0"),
    ("actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    (
        "actions/setup-node",
        "49933ea5288caeca8642d1e84afbd3f7d6820020",
        "v4.4.0",
    ),
    (
        "actions/setup-node",
        "a0853c24544627f65ddf259abe73b1d18a591444",
        "v5.0.0",
    ),
    (
        "actions/setup-node",
        "249970729cb0ef3589644e2896645e5dc5ba9c38",
        "v6.5.0",
    ),
    (
        "actions/setup-node",
        "820762786026740c76f36085b0efc47a31fe5020",
        "v7.0.0",
    ),
    (
        "actions/setup-python",
        "7f4fc3e22c37d6ff65e88745f38bd3157c663f7c",
        "v4.9.1",
    ),
    (
        "actions/setup-python",
        "a26af69be951a213d495a4c3e4e4022e16d87065",
        "v5.6.0",
    ),
    (
        "actions/setup-python",
        "ece7cb06caefa5fff74198d8649806c4678c61a1",
        "v6.3.0",
    ),
    (
        "actions/setup-python",
        "5fda3b95a4ea91299a34e894583c3862153e4b97",
        "v7.0.0",
    ),
    ("actions/setup-go", "7b8cf10d4e4a01d4992d18a89f4d7dc5a3e6d6f4", "v4.3.0"),
    ("actions/setup-go", "40f1582b2485089dde7abd97c1529aa768e1baff", "v5.6.0"),
    ("actions/setup-go", "924ae3a1cded613372ab5595356fb5720e22ba16", "v6.5.0"),
    ("actions/setup-go", "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", "v7.0.0"),
    (
        "actions/setup-java",
        "215b7e5f829ab9cac114c149667e57dc1b70b4bc",
        "v2.5.2",
    ),
    (
        "actions/setup-java",
        "e9fbacdec3bb3b6036605a3e6f7995d66773a8c6",
        "v3.14.2",
    ),
    (
        "actions/setup-java",
        "cf277c60eb25467037889841efdb72551f06f6c3",
        "v4.9.1",
    ),
    (
        "actions/setup-java",
        "b6effb05e454b25005698d916606bdc6ffcbf961",
        "v5.7.0",
    ),
    (
        "actions/upload-artifact",
        "ea165f8d65b6e75b540449e92b4886f43607fa02",
        "v4.6.2",
    ),
    (
        "actions/upload-artifact",
        "330a01c490aca151604b8cf639adc76d48f6c5d4",
        "v5.0.0",
    ),
    (
        "actions/upload-artifact",
        "b7c566a772e6b6bfb58ed0dc250532a479d7789f",
        "v6.0.0",
    ),
    (
        "actions/upload-artifact",
        "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
        "v7.0.0",
    ),
    (
        "actions/download-artifact",
        "634f93cb2916e3fdff6788551b99b062d0335ce0",
        "v5.0.0",
    ),
    (
        "actions/download-artifact",
        "018cc2cf5baa6db3ef3c5f8a56943fffe632ef53",
        "v6.0.0",
    ),
    (
        "actions/download-artifact",
        "37930b1c2abaa49bbe596cd826c3c89aef350131",
        "v7.0.0",
    ),
    (
        "actions/download-artifact",
        "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
        "v8.0.1",
    ),
    (
        "actions/github-script",
        "211cb3fefb35a799baa5156f9321bb774fe56294",
        "v5.2.0",
    ),
    (
        "actions/github-script",
        "d7906e4ad0b1822421a7e6a35d5ca353c962f410",
        "v6.4.1",
    ),
    (
        "actions/github-script",
        "f28e40c7f34bde8b3046d885e986cb6290c5673b",
        "v7.1.0",
    ),
    (
        "actions/github-script",
        "ed597411d8f924073f98dfc5c65a23a2325f34cd",
        "v8.0.0",
    ),
    (
        "docker/build-push-action",
        "0a97817b6ade9f46837855d676c4cca3a2471fc9",
        "v4.2.1",
    ),
    (
        "docker/build-push-action",
        "ca052bb54ab0790a636c9b5f226502c73d547a25",
        "v5.4.0",
    ),
    (
        "docker/build-push-action",
        "10e90e3645eae34f1e60eeb005ba3a3d33f178e8",
        "v6.19.2",
    ),
    (
        "docker/build-push-action",
        "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
        "v7.3.0",
    ),
    (
        "docker/login-action",
        "dd4fa0671be5250ee6f50aedf4cb05514abda2c7",
        "v1.14.1",
    ),
    (
        "docker/login-action",
        "465a07811f14bebb1938fbed4728c6a1ff8901fc",
        "v2.2.0",
    ),
    (
        "docker/login-action",
        "c94ce9fb468520275223c153574b00df6fe4bcc9",
        "v3.7.0",
    ),
    (
        "docker/login-action",
        "4907a6ddec9925e35a0a9e82d7399ccc52663121",
        "v4.1.0",
    ),
    (
        "docker/setup-buildx-action",
        "f211e3e9ded2d9377c8cadc4489a4e38014bc4c9",
        "v1.7.0",
    ),
    (
        "docker/setup-buildx-action",
        "885d1462b80bc1c1c7f0b00334ad271f09369c55",
        "v2.10.0",
    ),
    (
        "docker/setup-buildx-action",
        "8d2750c68a42422c14e847fe6c8ac0403b4cbd6f",
        "v3.12.0",
    ),
    (
        "docker/setup-buildx-action",
        "37fe631027851001ddb9b187196cc803df7f5f0e",
        "v4.3.0",
    ),
    (
        "docker/metadata-action",
        "b2391d37b4157fa4aa2e118d643f417910ff3242",
        "v3.8.0",
    ),
    (
        "docker/metadata-action",
        "818d4b7b91585d195f67373fd9cb0332e31a7175",
        "v4.6.0",
    ),
    (
        "docker/metadata-action",
        "c299e40c65443455700f0fdfc63efafe5b349051",
        "v5.10.0",
    ),
    (
        "docker/metadata-action",
        "dc802804100637a589fabce1cb79ff13a1411302",
        "v6.2.0",
    ),
    (
        "aws-actions/configure-aws-credentials",
        "50ac8dd1e1b10d09dac7b8727528b91bed831ac0",
        "v3.0.2",
    ),
    (
        "aws-actions/configure-aws-credentials",
        "7474bc4690e29a8392af63c5b98e7449536d5c3a",
        "v4.3.1",
    ),
    (
        "aws-actions/configure-aws-credentials",
        "61815dcd50bd041e203e49132bacad1fd04d2708",
        "v5.1.1",
    ),
    (
        "aws-actions/configure-aws-credentials",
        "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        "v6.2.3",
    ),
    (
        "google-github-actions/auth",
        "09cecabe1f169596b81c2ef22b40faff87acc460",
        "v0.9.0",
    ),
    (
        "google-github-actions/auth",
        "3a3c4c57d294ef65efaaee4ff17b22fa88dd3c69",
        "v1.3.0",
    ),
    (
        "google-github-actions/auth",
        "c200f3691d83b41bf9bbd8638997a462592937ed",
        "v2.1.13",
    ),
    (
        "google-github-actions/auth",
        "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
        "v3.0.0",
    ),
    (
        "google-github-actions/get-gke-credentials",
        "7c62b4b6c70752aa072f2f0b47691ff2ac60444f",
        "v0.9.0",
    ),
    (
        "google-github-actions/get-gke-credentials",
        "35ab0d2b2d48792c19f09325413bd185c8d44394",
        "v1.0.2",
    ),
    (
        "google-github-actions/get-gke-credentials",
        "64bc7249bbcf78056bb92f14d3cedc2da193946c",
        "v2.3.5",
    ),
    (
        "google-github-actions/get-gke-credentials",
        "3da1e46a907576cefaa90c484278bb5b259dd395",
        "v3.0.0",
    ),
    ("azure/login", "cb79c773a3cfa27f31f25eb3f677781210c9ce3d", "v1.6.1"),
    ("azure/login", "7184910d9eb2b1c5e48f7073824a90609bb9b6d6", "v2.3.1"),
    ("azure/login", "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1"),
    (
        "azure/aks-set-context",
        "c7eb093e5a5d47caa333f64974d5fd1cd4bf069d",
        "v4.0.3",
    ),
    (
        "azure/aks-set-context",
        "60623acbdcbbdcf799ad50a1adf8703874339f8b",
        "v5.0.0",
    ),
    (
        "azure/setup-kubectl",
        "776406bce94f63e41d621b960d78ee25c8b76ede",
        "v4.0.1",
    ),
    (
        "azure/setup-kubectl",
        "829323503d1be3d00ca8346e5391ca0b07a9ab0d",
        "v5.1.0",
    ),
    (
        "hashicorp/setup-terraform",
        "ed3a0531877aca392eb870f440d9ae7aba83a6bd",
        "v1.4.0",
    ),
    (
        "hashicorp/setup-terraform",
        "633666f66e0061ca3b725c73b2ec20cd13a8fdd1",
        "v2.0.3",
    ),
    (
        "hashicorp/setup-terraform",
        "b9cd54a3c349d3f38e8881555d616ced269862dd",
        "v3.1.2",
    ),
    (
        "hashicorp/setup-terraform",
        "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
        "v4.0.1",
    ),
    (
        "sigstore/cosign-installer",
        "3c4b4191199f5c43538b9decf084a8d5a25c3496",
        "v1.4.1",
    ),
    (
        "sigstore/cosign-installer",
        "c85d0e205a72a294fe064f618a87dbac13084086",
        "v2.8.1",
    ),
    (
        "sigstore/cosign-installer",
        "7e8b541eb2e61bf99390e1afd4be13a184e9ebc5",
        "v3.10.1",
    ),
    (
        "sigstore/cosign-installer",
        "6f9f17788090df1f26f669e9d70d6ae9567deba6",
        "v4.1.2",
    ),
];

/// The major version of a reference (`v4`, `v4.2`, `v4.2.2` → `4`), if it
/// names one.
pub fn major(reference: &str) -> Option<&str> {
    let digits = reference.strip_prefix('v').unwrap_or(reference);
    let major = digits.split('.').next()?;
    (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit())).then_some(major)
}

/// The known pin of `repo` in the major version `reference` names:
/// (full SHA, version). `None` when the reference names no major version
/// (a branch) or dvcc knows no release of that major version.
pub fn pin_for(repo: &str, reference: &str) -> Option<(&'static str, &'static str)> {
    let want = major(reference)?;
    let repo = repo.to_ascii_lowercase();
    known()
        .into_iter()
        .filter(|(r, _, v)| r.eq_ignore_ascii_case(&repo) && major(v) == Some(want))
        .max_by(|a, b| version_key(a.2).cmp(&version_key(b.2)))
        .map(|(_, sha, v)| (sha, v))
}

/// A version as numbers, for ordering (`v4.10.0` after `v4.9.1`).
fn version_key(v: &str) -> Vec<u64> {
    v.trim_start_matches('v')
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// Actions dvcc knows the pinned form of (the stdlib's, the deploy jobs'
/// and [`RELEASES`]): (repository, full SHA, version), one per repository
/// and major version.
pub fn known() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (_, module) in crate::stdlib::MODULES {
        let mut lines = module.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(reference) = line
                .trim_start()
                .strip_prefix("uses \"")
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            let version = lines
                .peek()
                .and_then(|l| l.trim_start().strip_prefix("version = \""))
                .and_then(|v| v.split('"').next());
            if let (Some((repo, sha)), Some(version)) = (reference.split_once('@'), version) {
                out.push((repo, sha, version));
            }
        }
    }
    for (reference, version) in DEPLOY_ACTIONS {
        if let Some((repo, sha)) = reference.split_once('@') {
            out.push((repo, sha, version));
        }
    }
    out.extend(RELEASES.iter().copied());
    // One per repository and major version: the stdlib's own pin first
    // (it is what dvcc writes), else the newest release.
    let mut keep: Vec<(&'static str, &'static str, &'static str)> = Vec::new();
    for a in out {
        match keep
            .iter_mut()
            .find(|k| k.0.eq_ignore_ascii_case(a.0) && major(k.2) == major(a.2))
        {
            Some(_) => {}
            None => keep.push(a),
        }
    }
    keep.sort_unstable();
    keep
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins_keep_the_major_version() {
        assert_eq!(super::pin_for("actions/checkout", "v4").map(|p| p.1), Some("v4.4.0"));
        assert_eq!(super::pin_for("actions/checkout", "v5").map(|p| p.1), Some("v5.0.0"));
        assert_eq!(super::pin_for("actions/cache", "v4.1").map(|p| p.1), Some("v4.3.0"));
        assert_eq!(super::pin_for("actions/checkout", "main"), None);
        assert_eq!(super::pin_for("actions/checkout", "v99"), None);
        assert_eq!(super::pin_for("nobody/nothing", "v1"), None);
    }

    #[test]
    fn every_known_action_is_pinned_to_a_full_sha() {
        let known = super::known();
        assert!(known.iter().any(|(r, _, _)| *r == "actions/checkout"));
        for (repo, sha, version) in known {
            assert_eq!(sha.len(), 40, "{repo}");
            assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()), "{repo}");
            assert!(!version.is_empty(), "{repo}");
        }
    }
}
