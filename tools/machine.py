"""What the benchmark scripts under tools/ record about the machine they ran on."""


def cpu_model():
    """The CPU's model name from /proc/cpuinfo ("unknown" where it is not to be had)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
