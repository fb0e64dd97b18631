//! Terraform facts: the pinned community modules and provider, and the
//! addresses that the document of an `infra` block declares, which `${...}`
//! in raw resources may reference. The Terraform backend writes exactly
//! these addresses (a test in `backend::terraform` holds it to that).

use crate::model::Infra;

/// The community modules, pinned.
pub const VPC_MODULE: (&str, &str) = ("terraform-aws-modules/vpc/aws", "5.21.0");
pub const EKS_MODULE: (&str, &str) = ("terraform-aws-modules/eks/aws", "20.37.0");
/// The AWS provider versions the EKS module of that version accepts.
pub const AWS_PROVIDER: &str = ">= 5.95, < 6.0";
/// S3-native state locking (`use_lockfile`) needs Terraform 1.10.
pub const REQUIRED_VERSION: &str = ">= 1.10";

/// An IPv4 range `a.b.c.d/p`: its first address and prefix length.
pub fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    let (addr, prefix) = text.split_once('/')?;
    let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32)?;
    let octets: Vec<u32> = addr
        .split('.')
        .map(|o| o.parse::<u8>().map(u32::from))
        .collect::<Result<_, _>>()
        .ok()?;
    let [a, b, c, d] = octets[..] else { return None };
    Some(((a << 24) | (b << 16) | (c << 8) | d, prefix))
}

/// Terraform's `cidrsubnet(range, newbits, index)`, computed: the
/// `index`th range of `newbits` more bits inside `range`.
pub fn cidr_subnet(base: u32, prefix: u32, newbits: u32, index: u32) -> String {
    let len = prefix + newbits;
    let addr = base | (index << (32 - len));
    format!(
        "{}.{}.{}.{}/{len}",
        addr >> 24,
        (addr >> 16) & 255,
        (addr >> 8) & 255,
        addr & 255
    )
}

/// The subnets of a VPC with `zones` zones: private (nodes), public (load
/// balancers, NAT gateways), database and intra (control plane) subnets,
/// one per zone, carved from `cidr` without overlap (for a /16 and three
/// zones: private /19s from `.0.0`, public /22s from `.96.0`, database
/// /24s from `.112.0`, intra /24s from `.120.0`).
pub fn subnets(cidr: &str, zones: u32) -> Option<[Vec<String>; 4]> {
    let (base, prefix) = parse_cidr(cidr)?;
    let zones = zones.clamp(1, 6);
    let (private_bits, database_base) = if zones <= 3 { (3, 112) } else { (4, 128) };
    let of = |newbits, first: u32| {
        (0..zones)
            .map(|k| cidr_subnet(base, prefix, newbits, first + k))
            .collect()
    };
    Some([
        of(private_bits, 0),
        of(6, 24),
        of(8, database_base),
        of(8, database_base + 8),
    ])
}

/// What is wrong with a VPC range, if anything: Terraform's and the
/// layout's rules.
pub fn cidr_problem(cidr: &str) -> Option<String> {
    let Some((base, prefix)) = parse_cidr(cidr) else {
        return Some("not an IPv4 range `a.b.c.d/n`".into());
    };
    if !(16..=20).contains(&prefix) {
        return Some(format!(
            "a /{prefix}: a VPC range is /16 to /20 (AWS allows /16 to /28; dvcc carves 12 subnets from it)"
        ));
    }
    if base & ((1u64 << (32 - prefix)) - 1) as u32 != 0 {
        return Some("host bits are set: the range starts at its first address".into());
    }
    None
}

/// The data source that reads secret `name` from Secrets Manager:
/// `data.aws_secretsmanager_secret_version.<name, as a Terraform name>`.
pub fn secret_data(secret: &str) -> String {
    let mut out: String = secret
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "secret_");
    }
    out
}

/// The Terraform expression of `secret("NAME")` in a raw resource.
pub fn secret_expression(secret: &str) -> String {
    format!(
        "${{data.aws_secretsmanager_secret_version.{}.secret_string}}",
        secret_data(secret)
    )
}

/// Literal text as Terraform reads it back: `${` and `%{` (which start an
/// expression and a directive) written `$${` and `%%{`.
pub fn escape_literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// The module of cluster `name`: `module.eks_<name>`.
pub fn eks_module(cluster: &str) -> String {
    format!("eks_{cluster}")
}

/// The security group of database `name`: `aws_security_group.db_<name>`.
pub fn db_security_group(database: &str) -> String {
    format!("db_{database}")
}

/// Whether the document of `infra` has a VPC (clusters and databases run
/// in it).
pub fn needs_vpc(infra: &Infra) -> bool {
    !infra.clusters.is_empty() || !infra.databases.is_empty()
}

/// The resource types generated per bucket, all named after the bucket.
pub const BUCKET_RESOURCES: [&str; 7] = [
    "aws_s3_bucket",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_policy",
];

/// The names `infra ENV` declares, sorted: `TYPE.NAME` of generated and
/// raw resources, `data.TYPE.NAME`, `module.NAME`, `var.NAME` and
/// `local.NAME`.
pub fn declared(infra: &Infra) -> Vec<String> {
    with_raw(generated(infra), infra)
}

/// `generated`, [`generated`]'s names, with those of `infra`'s raw
/// resources added: [`declared`].
pub fn with_raw(mut out: Vec<String>, infra: &Infra) -> Vec<String> {
    for r in &infra.resources {
        out.push(format!("{}.{}", r.ty, r.name));
        for s in &r.secrets {
            out.push(format!("data.aws_secretsmanager_secret_version.{}", secret_data(s)));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What [`declared`] lists but the raw resources: the names dvcc writes
/// itself, which a raw resource must not take.
pub fn generated(infra: &Infra) -> Vec<String> {
    let mut out = vec![
        "aws_iam_openid_connect_provider.github".to_string(),
        "aws_iam_role.deploy".to_string(),
        "data.aws_iam_openid_connect_provider.github".to_string(),
        "var.create_github_oidc_provider".to_string(),
        "local.github_oidc_provider_arn".to_string(),
    ];
    if needs_vpc(infra) {
        out.push("data.aws_availability_zones.available".to_string());
        out.push("module.vpc".to_string());
    }
    if !infra.clusters.is_empty() {
        out.push("aws_iam_role_policy.deploy".to_string());
        if !infra.cluster_admin {
            out.push("terraform_data.deploy_access".to_string());
        }
    }
    for c in &infra.clusters {
        out.push(format!("module.{}", eks_module(&c.name)));
    }
    for b in &infra.buckets {
        out.extend(BUCKET_RESOURCES.iter().map(|ty| format!("{ty}.{}", b.name)));
        if b.lock.is_some() {
            out.push(format!("aws_s3_bucket_object_lock_configuration.{}", b.name));
        }
        if b.access_logs.is_some() {
            out.push(format!("aws_s3_bucket_logging.{}", b.name));
        }
    }
    if infra.buckets.iter().any(|b| b.access_logs.is_some()) {
        out.push("data.aws_caller_identity.current".to_string());
    }
    for v in &infra.variables {
        out.push(format!("var.{}", v.name));
    }
    for o in &infra.outputs {
        for s in &o.secrets {
            out.push(format!("data.aws_secretsmanager_secret_version.{}", secret_data(s)));
        }
    }
    if !infra.databases.is_empty() {
        out.push("aws_iam_role.rds_monitoring".to_string());
        out.push("aws_iam_role_policy_attachment.rds_monitoring".to_string());
    }
    for d in &infra.databases {
        out.push(format!("aws_security_group.{}", db_security_group(&d.name)));
        out.push(format!("aws_db_parameter_group.{}", d.name));
        out.push(format!("aws_db_instance.{}", d.name));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn subnets_are_carved_without_overlap() {
        let [private, public, database, intra] = super::subnets("10.0.0.0/16", 3).expect("a range");
        assert_eq!(intra, ["10.0.120.0/24", "10.0.121.0/24", "10.0.122.0/24"]);
        assert_eq!(private, ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
        assert_eq!(public, ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"]);
        assert_eq!(database, ["10.0.112.0/24", "10.0.113.0/24", "10.0.114.0/24"]);
        let [private, public, database, intra] = super::subnets("172.16.0.0/20", 6).expect("a range");
        assert_eq!(intra[0], "172.16.8.128/28");
        assert_eq!(private[5], "172.16.5.0/24");
        assert_eq!(public[0], "172.16.6.0/26");
        assert_eq!(public[5], "172.16.7.64/26");
        assert_eq!(database[0], "172.16.8.0/28");
        assert!(super::cidr_problem("10.0.0.0/16").is_none());
        assert!(super::cidr_problem("10.0.0.1/16").is_some());
        assert!(super::cidr_problem("10.0.0.0/24").is_some());
        assert!(super::cidr_problem("10.0.0/16").is_some());
    }

    #[test]
    fn literal_text_stays_text() {
        assert_eq!(
            super::escape_literal("${file(\"/etc/passwd\")} %{if x}"),
            "$${file(\"/etc/passwd\")} %%{if x}"
        );
        assert_eq!(super::escape_literal("$$ 100%"), "$$ 100%");
    }

    #[test]
    fn secrets_become_data_sources() {
        assert_eq!(super::secret_data("shop/db-password"), "shop_db_password");
        assert_eq!(super::secret_data("1st"), "secret_1st");
        assert_eq!(
            super::secret_expression("db"),
            "${data.aws_secretsmanager_secret_version.db.secret_string}"
        );
    }
}
