-- Compatibility shims: the one place that knows how the Neovim API changed between 0.7 (what
-- Debian ships) and 0.12. Every other module calls these functions instead of testing versions, so
-- the plugin uses the newer API where it exists and the old one where it does not.
local M = {}

--- True when the running Neovim is at least the given version ("0.11").
---@param version string
function M.has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

--- Send a request through a client. The method-call form (`client:request`) is the only one
--- that will survive 0.13; the dot form is what 0.7 to 0.10 provide.
---@return boolean sent
function M.request(client, method, params, handler, bufnr)
  local ok, sent
  if M.has('0.11') then
    ok, sent = pcall(client.request, client, method, params, handler, bufnr)
  else
    ok, sent = pcall(client.request, method, params, handler, bufnr)
  end
  return ok and sent ~= false
end

--- Send a request and wait for its answer, up to `timeout_ms`. Returns the result, or nil and a
--- sentence saying what went wrong.
function M.request_sync(client, method, params, timeout_ms, bufnr)
  local answer
  if M.has('0.11') then
    answer = client:request_sync(method, params, timeout_ms, bufnr)
  else
    answer = client.request_sync(method, params, timeout_ms, bufnr)
  end
  if not answer then
    return nil, 'Burrow did not answer ' .. method .. ' within ' .. timeout_ms .. ' ms.'
  end
  if answer.err then
    return nil, answer.err.message or vim.inspect(answer.err)
  end
  return answer.result
end

function M.notify_server(client, method, params)
  if M.has('0.11') then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

function M.is_stopped(client)
  if M.has('0.11') then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- Every LSP client with the given name, running or still initializing.
---@param name string
function M.clients(name)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ name = name })
  else
    all = {}
    for _, client in pairs(vim.lsp.get_active_clients()) do
      if client.name == name then
        table.insert(all, client)
      end
    end
  end
  local live = {}
  for _, client in ipairs(all) do
    if not M.is_stopped(client) then
      table.insert(live, client)
    end
  end
  return live
end

--- The clients attached to a buffer.
function M.buf_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

--- Start a client that is not tied to a buffer (for commands run from an empty window). On
--- 0.11+ `vim.lsp.start` with `attach = false` does this without the deprecated `start_client`.
---@return integer|nil client_id
function M.start_detached(config)
  local ok, id = pcall(function()
    if M.has('0.11') then
      return vim.lsp.start(config, { attach = false })
    end
    return vim.lsp.start_client(config)
  end)
  if not ok then
    return nil, tostring(id)
  end
  return id
end

--- Start (or reuse) a client for `config.root_dir` and attach `bufnr` to it.
---@return integer|nil client_id
function M.start_for_buffer(config, bufnr)
  if vim.lsp.start then
    local ok, id = pcall(vim.api.nvim_buf_call, bufnr, function()
      return vim.lsp.start(config, { bufnr = bufnr })
    end)
    if not ok then
      return nil, tostring(id)
    end
    return id
  end
  -- 0.7: no vim.lsp.start, so reuse a running client with the same root by hand.
  local id
  for _, client in ipairs(M.clients(config.name)) do
    if client.config.root_dir == config.root_dir then
      id = client.id
      break
    end
  end
  if not id then
    -- 0.7 raises when the command cannot be spawned; turn that into a reason.
    local ok, started = pcall(vim.lsp.start_client, config)
    if not ok then
      return nil, tostring(started)
    end
    id = started
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The health API moved: `require('health').report_ok` on 0.7, `vim.health.report_ok` on 0.8 and
--- 0.9, `vim.health.ok` from 0.10.
--- Advice is optional; a nil argument must not be passed on (0.7's Vimscript side rejects v:null).
M.health = {}
for _, level in ipairs({ 'start', 'ok', 'warn', 'error', 'info' }) do
  M.health[level] = function(message, advice)
    local h = vim.health
    local report
    if h and h[level] then
      report = h[level]
    elseif h and h['report_' .. level] then
      report = h['report_' .. level]
    else
      report = require('health')['report_' .. level]
    end
    if advice == nil then
      return report(message)
    end
    return report(message, advice)
  end
end

-- JSON: `vim.json` exists from 0.6; before it, Vimscript's `json_encode()` and `json_decode()` do
-- the same work. Both directions choose between them the same way, so one function makes both.
local function json_function(direction)
  return function(value)
    if vim.json then
      return vim.json[direction](value)
    end
    return vim.fn['json_' .. direction](value)
  end
end

--- A Lua value as JSON text.
M.json_encode = json_function('encode')

--- JSON text as a Lua value.
M.json_decode = json_function('decode')

--- The file system path of a buffer-independent URI.
function M.uri_to_fname(uri)
  return vim.uri_to_fname(uri)
end

-- libuv: `vim.uv` from 0.10, `vim.loop` before (deprecated since).
M.uv = vim.uv or vim.loop

--- Whether a directory entry exists, without vim.fs (0.8+).
function M.exists(path)
  return M.uv.fs_stat(path) ~= nil
end

--- The UTF-16 offset (what LSP positions count by default) of a byte column in a line. 0.11
--- changed vim.str_utfindex to take the encoding by name and deprecated the old form.
function M.utf16_index(line, byte_col)
  byte_col = math.min(byte_col, #line)
  if M.has('0.11') then
    return vim.str_utfindex(line, 'utf-16', byte_col, false)
  end
  local _, units = vim.str_utfindex(line, byte_col)
  return units
end

--- Highlight part of a line (`end_col` nil: to the end of the line). Extmarks work from 0.7 on;
--- nvim_buf_add_highlight is deprecated from 0.11.
function M.highlight(buf, ns, group, line, start_col, end_col)
  if not end_col then
    end_col = #(vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1] or '')
  end
  vim.api.nvim_buf_set_extmark(buf, ns, line, start_col, { end_col = end_col, hl_group = group })
end

return M
