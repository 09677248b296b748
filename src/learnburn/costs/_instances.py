"""vCPUs, memory and accelerators of the instance types the price table names.

The figures are AWS's published specifications (aws.amazon.com/ec2/instance-types and the
SageMaker instance pages); a SageMaker ``ml.X`` instance has the hardware of the EC2 ``X``.
An instance type missing here cannot be sized: the cost model says so and leaves it out. Add it
to ``SPECS`` with its figures from the AWS page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceSpec:
    """The hardware of one instance type."""

    name: str
    vcpus: int
    memory_gib: float
    gpu: str | None = None
    accelerator: str | None = None
    burstable_baseline: float | None = None  # share of each vCPU sustained without CPU credits

    @property
    def memory_mib(self) -> float:
        return self.memory_gib * 1024

    @property
    def cpu_only(self) -> bool:
        return self.gpu is None and self.accelerator is None


def instance_spec(name: str) -> InstanceSpec | None:
    """The spec of ``m5.large`` or ``ml.m5.large``; None when it is not in the table."""
    return SPECS.get(name.lower().removeprefix("ml."))


def _specs(*specs: InstanceSpec) -> dict[str, InstanceSpec]:
    return {spec.name: spec for spec in specs}


SPECS = _specs(
    InstanceSpec("t2.medium", 2, 4, burstable_baseline=0.2),
    InstanceSpec("t3.medium", 2, 4, burstable_baseline=0.2),
    InstanceSpec("m5.large", 2, 8),
    InstanceSpec("m5.xlarge", 4, 16),
    InstanceSpec("m5.2xlarge", 8, 32),
    InstanceSpec("m7i.large", 2, 8),
    InstanceSpec("m7g.large", 2, 8),
    InstanceSpec("c5.large", 2, 4),
    InstanceSpec("c5.xlarge", 4, 8),
    InstanceSpec("c5.2xlarge", 8, 16),
    InstanceSpec("c6i.large", 2, 4),
    InstanceSpec("c6i.xlarge", 4, 8),
    InstanceSpec("c7i.large", 2, 4),
    InstanceSpec("c7i.xlarge", 4, 8),
    InstanceSpec("g4dn.xlarge", 4, 16, gpu="NVIDIA T4"),
    InstanceSpec("g5.xlarge", 4, 16, gpu="NVIDIA A10G"),
    InstanceSpec("g6.xlarge", 4, 16, gpu="NVIDIA L4"),
    InstanceSpec("p3.2xlarge", 8, 61, gpu="NVIDIA V100"),
    InstanceSpec("inf2.xlarge", 4, 16, accelerator="AWS Inferentia2"),
)
