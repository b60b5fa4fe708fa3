package parley.user.grpc;

import static parley.runtime.grpc.Replies.reply;

import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import parley.runtime.grpc.Access;
import parley.runtime.grpc.Caller;
import parley.user.domain.User;
import parley.user.domain.UserAccounts;
import parley.user.domain.UserPage;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.AuthenticateUserResponse;
import parley.user.v1.CheckUserExistsRequest;
import parley.user.v1.CheckUserExistsResponse;
import parley.user.v1.DeleteUserRequest;
import parley.user.v1.DeleteUserResponse;
import parley.user.v1.GetUserRequest;
import parley.user.v1.ListUsersRequest;
import parley.user.v1.ListUsersResponse;
import parley.user.v1.RegisterUserRequest;
import parley.user.v1.UpdateUserRequest;
import parley.user.v1.UserServiceGrpc;

/** gRPC transport of user-svc: translates messages; rules live in {@link UserAccounts}. */
public final class UserGrpcService extends UserServiceGrpc.UserServiceImplBase {
    private final UserAccounts accounts;

    public UserGrpcService(UserAccounts accounts) {
        this.accounts = accounts;
    }

    /** Who may call which rpc (docs/security.md has the whole table). */
    public static final Function<String, Access> ACCESS = method -> switch (method.substring(method.indexOf('/') + 1)) {
        case "RegisterUser", "AuthenticateUser" -> Access.PUBLIC;
        case "CheckUserExists" -> Access.services("message-svc");
        default -> Access.USERS;
    };

    @Override
    public void registerUser(RegisterUserRequest request, StreamObserver<parley.user.v1.User> response) {
        reply(response, toProto(accounts.register(request.getName(), request.getEmail(), request.getPassword())));
    }

    @Override
    public void authenticateUser(AuthenticateUserRequest request, StreamObserver<AuthenticateUserResponse> response) {
        AuthenticateUserResponse.Builder out = AuthenticateUserResponse.newBuilder();
        accounts.authenticate(request.getEmail(), request.getPassword())
                .ifPresent(t -> out.setAuthenticated(true)
                        .setToken(t.token())
                        .setExpiresAt(t.expiresAt().toString()));
        reply(response, out.build());
    }

    @Override
    public void checkUserExists(CheckUserExistsRequest request, StreamObserver<CheckUserExistsResponse> response) {
        reply(
                response,
                CheckUserExistsResponse.newBuilder()
                        .setExists(accounts.exists(request.getEmail()))
                        .build());
    }

    @Override
    public void listUsers(ListUsersRequest request, StreamObserver<ListUsersResponse> response) {
        UserPage page = accounts.list(request.getPageSize(), request.getPageToken());
        reply(
                response,
                ListUsersResponse.newBuilder()
                        .addAllUsers(page.users().stream()
                                .map(UserGrpcService::toProto)
                                .toList())
                        .setNextPageToken(page.nextPageToken())
                        .build());
    }

    @Override
    public void getUser(GetUserRequest request, StreamObserver<parley.user.v1.User> response) {
        Caller.requireSelf(request.getEmail());
        reply(response, toProto(accounts.get(request.getEmail())));
    }

    @Override
    public void updateUser(UpdateUserRequest request, StreamObserver<parley.user.v1.User> response) {
        Caller.requireSelf(request.getEmail());
        reply(
                response,
                toProto(accounts.update(
                        request.getEmail(),
                        request.hasName() ? request.getName() : null,
                        request.hasPassword() ? request.getPassword() : null,
                        request.hasCurrentPassword() ? request.getCurrentPassword() : null)));
    }

    @Override
    public void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> response) {
        Caller.requireSelf(request.getEmail());
        accounts.delete(request.getEmail(), request.getCurrentPassword());
        reply(response, DeleteUserResponse.newBuilder().setDeleted(true).build());
    }

    static parley.user.v1.User toProto(User user) {
        return parley.user.v1.User.newBuilder()
                .setName(user.name())
                .setEmail(user.email())
                .setCreatedAt(user.createdAt().toString())
                .build();
    }
}
