/// What a new password must be: at least 12 characters (and at most 1,024, a bound on hashing).
public enum PasswordPolicy {
    /// The fewest characters a password may have.
    public static let minimumLength = 12
    /// The most characters a password may have.
    public static let maximumLength = 1024

    /// Why `password` cannot be used, or nil when it can. Never repeats the password.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "the password has \(password.count) characters; use at least \(minimumLength)" }
        if password.count > maximumLength { return "the password is longer than \(maximumLength) characters" }
        return nil
    }
}
