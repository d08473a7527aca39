-- The plugin's options: the defaults a user gets from `setup({})`, and the merge with what the user
-- passes. Other modules read `require('burrow.config').options` and never keep their own copies,
-- so a second `setup()` call takes effect everywhere.
local M = {}

M.defaults = {
  -- How to start the server. `burrow` must be on $PATH; point this at a checkout with
  -- { 'node', '/path/to/burrow/bin/burrow.js', '--stdio' }.
  cmd = { 'burrow', '--stdio' },
  -- Extra environment for the server process (for example { OLLAMA_HOST = 'http://127.0.0.1:11434' }).
  cmd_env = nil,
  -- The workspace root is the nearest directory holding one of these, else the current directory.
  root_markers = { '.git', 'package.json' },
  -- Burrow's settings (docs/configuration.md): sent as initializationOptions and as the answer to
  -- workspace/configuration for the section "burrow".
  settings = {},
  -- Start the client for the current buffer and for every file buffer opened later.
  autostart = true,
  -- After Burrow's edit lands in the buffers, write them, so the files on disk match what you approved.
  write_after_apply = true,
  -- Show the task's progress in the command line while the model works.
  echo_progress = true,
  -- Window look.
  border = 'rounded',
  -- Keys in the plan float. Each has a command behind it (see :help burrow-commands).
  plan_keys = {
    approve = 'a',
    revise = 'r',
    reject = 'x',
    close = 'q',
  },
  -- Keys in the diff review tab.
  review_keys = {
    next_hunk = ']h',
    prev_hunk = '[h',
    next_file = ']f',
    prev_file = '[f',
    accept = 'ga',
    reject = 'gr',
    accept_all = 'gA',
    reject_all = 'gR',
    submit = '<CR>',
    close = 'q',
  },
  -- Keys in the chat buffer (normal mode).
  chat_keys = {
    send = '<CR>',
    close = 'q',
  },
}

M.options = vim.deepcopy(M.defaults)

--- Merge user options over the defaults. Lists (cmd, root_markers) are replaced, not merged
--- index by index, because `{ 'node', 'x.js' }` over `{ 'burrow', '--stdio' }` must not keep
--- '--stdio' by accident.
---@param opts table|nil
function M.set(opts)
  opts = opts or {}
  local merged = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  for _, list in ipairs({ 'cmd', 'root_markers' }) do
    if opts[list] ~= nil then
      merged[list] = vim.deepcopy(opts[list])
    end
  end
  if opts.settings ~= nil then
    merged.settings = vim.deepcopy(opts.settings)
  end
  M.options = merged
  return merged
end

return M
