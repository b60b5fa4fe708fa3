-- An account was deleted: its part of the indexes goes, and the moment it left is kept, so a new
-- account under the same email never sees the old one's messages (the other party keeps its copy).
-- Safe when applied late (message-svc was down, or a consumer retried): only entries up to the
-- old account's newest message are removed, never those of a new account under the same email.
-- KEYS: 1 user:{email}:messages, 2 user:{email}:conversations, 3 user:{email}:left_at
-- ARGV: 1 when the account was deleted (epoch ms), 2 the id of the old account's newest message
--       (message-svc finds it: the ids of user:{email}:messages sent before the deletion; 0 = none)
local before = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[1]) > before then redis.call('SET', KEYS[3], ARGV[1]) end
if tonumber(ARGV[2]) > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
  -- a conversation's score is its newest message: one the new account wrote in stays
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
end
return 1
