package parley.runtime.auth;

/** Who is calling: a user (subject = their email) or a Parley service (subject = its name). */
public record Principal(String subject, Kind kind) {
    public enum Kind {
        USER,
        SERVICE
    }

    public boolean isService() {
        return kind == Kind.SERVICE;
    }

    /** True for the user themselves, or any service (services act for users). */
    public boolean mayActFor(String email) {
        return isService() || subject.equalsIgnoreCase(email);
    }
}
