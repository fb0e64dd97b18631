"""Regenerates .ci/terraform-modules.json: the inputs and outputs of the
community modules dvcc pins (src/target/terraform.rs), read from their
variables.tf and outputs.tf at the pinned tags, with python-hcl2.

  python .ci/module-interfaces.py 'terraform-aws-modules/vpc/aws 5.21.0=PATH' ...

where PATH is a checkout of the module's repository at that tag (for
example `git -C terraform-aws-vpc archive v5.21.0 variables.tf outputs.tf
| tar -x -C PATH`). A type is kept where it is a plain one (bool, string,
number, a list, set or map of those); object types become `any`.
"""
import json, re, sys
from pathlib import Path

import hcl2

SIMPLE = re.compile(r"^(bool|string|number|any|(list|set|map)\((string|number|bool|any)\))$")


def interface(path):
    path = Path(path)
    variables = {}
    for block in hcl2.load(open(path / "variables.tf"))["variable"]:
        for name, body in block.items():
            t = str(body.get("type", "any")).strip()
            t = (t[2:-1] if t.startswith("${") and t.endswith("}") else t).replace(" ", "")
            variables[name.strip('"')] = {"type": t if SIMPLE.match(t) else "any", "required": "default" not in body}
    outputs = sorted(n.strip('"') for block in hcl2.load(open(path / "outputs.tf"))["output"] for n in block)
    return {"variables": dict(sorted(variables.items())), "outputs": outputs}


def main(specs):
    target = Path(__file__).parent / "terraform-modules.json"
    doc = json.loads(target.read_text())
    for spec in specs:
        key, path = spec.split("=", 1)
        doc["modules"][key] = interface(path)
    target.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
