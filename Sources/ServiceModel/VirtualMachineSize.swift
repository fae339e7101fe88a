/// The sizes a role's `vmsize` names, and the cores each counts against a subscription's quota.
public enum VirtualMachineSize {
    /// The sizes a web or worker role may name, as the platform spells them.
    public static let names = [
        "ExtraSmall", "Small", "Medium", "Large", "ExtraLarge", "A5", "A6", "A7", "A8", "A9", "A10", "A11",
        "Standard_A1_v2", "Standard_A2_v2", "Standard_A4_v2", "Standard_A8_v2",
        "Standard_D1", "Standard_D2", "Standard_D3", "Standard_D4", "Standard_D11", "Standard_D12", "Standard_D13", "Standard_D14",
        "Standard_D1_v2", "Standard_D2_v2", "Standard_D3_v2", "Standard_D4_v2", "Standard_D5_v2",
        "Standard_D11_v2", "Standard_D12_v2", "Standard_D13_v2", "Standard_D14_v2",
        "Standard_G1", "Standard_G2", "Standard_G3", "Standard_G4", "Standard_G5",
    ]

    /// Cores of the classic sizes (ExtraSmall shares a core but counts as one).
    static let cores: [String: Int] = [
        "extrasmall": 1, "small": 1, "medium": 2, "large": 4, "extralarge": 8,
        "a5": 2, "a6": 4, "a7": 8, "a8": 8, "a9": 16, "a10": 8, "a11": 16,
        "standard_a1_v2": 1, "standard_a2_v2": 2, "standard_a4_v2": 4, "standard_a8_v2": 8,
        "standard_d1": 1, "standard_d2": 2, "standard_d3": 4, "standard_d4": 8,
        "standard_d11": 2, "standard_d12": 4, "standard_d13": 8, "standard_d14": 16,
        "standard_d1_v2": 1, "standard_d2_v2": 2, "standard_d3_v2": 4, "standard_d4_v2": 8, "standard_d5_v2": 16,
        "standard_d11_v2": 2, "standard_d12_v2": 4, "standard_d13_v2": 8, "standard_d14_v2": 16,
        "standard_g1": 2, "standard_g2": 4, "standard_g3": 8, "standard_g4": 16, "standard_g5": 32,
    ]

    /// The cores one instance of `size` counts; one for a size this table does not know.
    public static func cores(of size: String) -> Int {
        cores[size.lowercased()] ?? 1
    }

    /// The cores a definition and configuration ask for: each role's instances times its size.
    public static func cores(definition: ServiceDefinition, configuration: ServiceConfiguration) -> Int {
        definition.roles.reduce(0) { total, role in
            let count = configuration.roles.first { $0.name == role.name }?.instanceCount ?? 1
            return total + count * cores(of: role.vmSize)
        }
    }
}
