package parley.runtime.grpc;

import java.util.Set;
import parley.runtime.auth.Principal;

/**
 * Who may call an rpc: anyone, users (each for themselves), or named services. A service token
 * names its service; it is accepted only where that service is listed, so a leaked token of one
 * service cannot call what only another needs, nor act for users where it has no business.
 *
 * @param users whether a user token is accepted (acting for its owner only)
 * @param services the services whose tokens are accepted (acting for any user)
 */
public record Access(boolean anyone, boolean users, Set<String> services) {
    /** Anyone, no token (registration, login, health, reflection). */
    public static final Access PUBLIC = new Access(true, true, Set.of());
    /** Users, each for themselves; no service. */
    public static final Access USERS = new Access(false, true, Set.of());

    /** Only these services; a user token is refused with PERMISSION_DENIED. */
    public static Access services(String... names) {
        return new Access(false, false, Set.of(names));
    }

    /** Users for themselves, and these services for any user. */
    public static Access usersAnd(String... services) {
        return new Access(false, true, Set.of(services));
    }

    /** Whether a verified caller passes, and if not, why (for PERMISSION_DENIED); null when it does. */
    String refusal(Principal caller) {
        if (anyone) {
            return null;
        }
        if (caller.isService()) {
            if (services.contains(caller.subject())) {
                return null;
            }
            return services.isEmpty()
                    ? "this rpc is for users; a service token is not accepted"
                    : "this rpc accepts only "
                            + String.join(", ", services.stream().sorted().toList()) + ", not " + caller.subject();
        }
        return users ? null : "this rpc is for Parley services only; a user token is not accepted";
    }
}
