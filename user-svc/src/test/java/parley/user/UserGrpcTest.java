package parley.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;
import parley.user.v1.AuthenticateUserRequest;
import parley.user.v1.AuthenticateUserResponse;
import parley.user.v1.CheckUserExistsRequest;
import parley.user.v1.DeleteUserRequest;
import parley.user.v1.GetUserRequest;
import parley.user.v1.ListUsersRequest;
import parley.user.v1.RegisterUserRequest;
import parley.user.v1.UpdateUserRequest;
import parley.user.v1.User;

@ExtendWith(RedisExtension.class)
class UserGrpcTest {
    private final TestRedis redis;
    private UserSvcFixture svc;

    UserGrpcTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() {
        svc = new UserSvcFixture(redis);
    }

    @AfterEach
    void stop() {
        svc.close();
    }

    private User register(String name, String email) {
        return svc.anonymous()
                .registerUser(RegisterUserRequest.newBuilder()
                        .setName(name)
                        .setEmail(email)
                        .setPassword("secret-pass")
                        .build());
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void registerThenAuthenticateGivesAToken() {
        User u = register("Uni", "uni@example.com");
        AuthenticateUserResponse auth = svc.anonymous()
                .authenticateUser(AuthenticateUserRequest.newBuilder()
                        .setEmail("uni@example.com")
                        .setPassword("secret-pass")
                        .build());

        assertThat(u.getEmail()).isEqualTo("uni@example.com");
        assertThat(auth.getAuthenticated()).isTrue();
        assertThat(svc.tokens.verify(auth.getToken()).subject()).isEqualTo("uni@example.com");
    }

    @Test
    void authenticatingAnUnregisteredUserFailsLikeAWrongPassword() {
        register("Uni", "uni@example.com");
        AuthenticateUserResponse unknown = svc.anonymous()
                .authenticateUser(AuthenticateUserRequest.newBuilder()
                        .setEmail("fc@example.com")
                        .setPassword("secret-pass")
                        .build());
        AuthenticateUserResponse wrong = svc.anonymous()
                .authenticateUser(AuthenticateUserRequest.newBuilder()
                        .setEmail("uni@example.com")
                        .setPassword("bad-password")
                        .build());

        assertThat(unknown).isEqualTo(wrong);
        assertThat(unknown.getAuthenticated()).isFalse();
        assertThat(unknown.getToken()).isEmpty();
    }

    @Test
    void duplicateAndInvalidRegistrationsHaveFittingCodes() {
        register("Uni", "uni@example.com");
        assertThat(code(() -> register("Again", "uni@example.com"))).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(code(() -> register("Bad", "not-an-email"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void checkUserExistsTakesAServiceTokenOnly() {
        register("Uni", "uni@example.com");
        CheckUserExistsRequest uni =
                CheckUserExistsRequest.newBuilder().setEmail("uni@example.com").build();

        assertThat(svc.as(svc.serviceToken()).checkUserExists(uni).getExists()).isTrue();
        assertThat(svc.as(svc.serviceToken())
                        .checkUserExists(CheckUserExistsRequest.newBuilder()
                                .setEmail("faua@example.com")
                                .build())
                        .getExists())
                .isFalse();
        assertThat(code(() -> svc.as(svc.userToken("uni@example.com")).checkUserExists(uni)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> svc.anonymous().checkUserExists(uni))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void ownershipRulesApplyToGetUpdateAndDelete() {
        register("Uni", "uni@example.com");
        register("Fc", "fc@example.com");
        var uni = svc.as(svc.userToken("uni@example.com"));

        assertThat(uni.getUser(GetUserRequest.newBuilder()
                                .setEmail("uni@example.com")
                                .build())
                        .getName())
                .isEqualTo("Uni");
        assertThat(code(() -> uni.getUser(
                        GetUserRequest.newBuilder().setEmail("fc@example.com").build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> uni.updateUser(UpdateUserRequest.newBuilder()
                        .setEmail("fc@example.com")
                        .setName("X")
                        .build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> uni.deleteUser(DeleteUserRequest.newBuilder()
                        .setEmail("fc@example.com")
                        .build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(uni.updateUser(UpdateUserRequest.newBuilder()
                                .setEmail("uni@example.com")
                                .setName("U")
                                .build())
                        .getName())
                .isEqualTo("U");
        assertThat(code(() -> uni.deleteUser(DeleteUserRequest.newBuilder()
                        .setEmail("uni@example.com")
                        .build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> uni.deleteUser(DeleteUserRequest.newBuilder()
                        .setEmail("uni@example.com")
                        .setCurrentPassword("wrong-password")
                        .build())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(uni.deleteUser(DeleteUserRequest.newBuilder()
                                .setEmail("uni@example.com")
                                .setCurrentPassword("secret-pass")
                                .build())
                        .getDeleted())
                .isTrue();
        // the deletion revoked the token itself
        assertThat(code(() -> uni.getUser(
                        GetUserRequest.newBuilder().setEmail("uni@example.com").build())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void listUsersNeedsATokenAndPages() {
        register("A", "a@example.com");
        register("B", "b@example.com");
        var page = svc.as(svc.userToken("a@example.com"))
                .listUsers(ListUsersRequest.newBuilder().setPageSize(1).build());

        assertThat(page.getUsersList()).extracting(User::getEmail).containsExactly("a@example.com");
        assertThat(page.getNextPageToken()).isEqualTo("a@example.com");
        assertThat(code(() -> svc.anonymous().listUsers(ListUsersRequest.getDefaultInstance())))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void reflectionListsTheServicesForGrpcurl() throws Exception {
        var names = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var done = new java.util.concurrent.CountDownLatch(1);
        var requests = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(svc.channel)
                .serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                        r.getListServicesResponse().getServiceList().forEach(s -> names.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
                .setListServices("")
                .build());
        requests.onCompleted();

        assertThat(done.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(names).contains("parley.user.v1.UserService", "grpc.health.v1.Health");
    }

    @Test
    void theStandardHealthServiceReportsServing() {
        HealthCheckResponse health =
                HealthGrpc.newBlockingStub(svc.channel).check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
}
