-- Starting and finding the `burrow` LSP client, and talking to it. This module builds the client
-- configuration (command, root, capabilities, handlers) once for every Neovim version, attaches
-- buffers through the compat shims, and queues requests until the server has answered
-- `initialize`, so a command typed right after Neovim starts is not lost.
local compat = require('burrow.compat')
local config = require('burrow.config')

local M = {}

M.name = 'burrow'

-- Requests waiting for their client's `initialize` answer, by client id.
local waiting = {}

-- The client started for each root, by root. Neovim's own lists leave out clients that are still
-- initializing (0.7 to 0.10), so without this a second buffer opened during start-up would start
-- a second server.
local by_root = {}

local function live(id)
  local c = id and vim.lsp.get_client_by_id(id)
  if c and not compat.is_stopped(c) then
    return c
  end
  return nil
end

--- The nearest directory at or above `path` that holds one of the root markers, else the
--- current directory.
---@param path string|nil a file or directory
function M.find_root(path)
  local markers = config.options.root_markers
  local dir = path and path ~= '' and vim.fn.fnamemodify(path, ':p') or vim.fn.getcwd()
  if vim.fn.isdirectory(dir) == 0 then
    dir = vim.fn.fnamemodify(dir, ':h')
  end
  dir = dir:gsub('/+$', '')
  while dir ~= '' do
    for _, marker in ipairs(markers) do
      if compat.exists(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.getcwd()
end

--- The root for a buffer: from its file when it has one, else from the current directory.
function M.root_for_buffer(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return M.find_root(nil)
  end
  return M.find_root(name)
end

local function as_object(tbl)
  if tbl == nil or vim.tbl_isempty(tbl) then
    return vim.empty_dict()
  end
  return tbl
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  -- Declaring this tells the server that the plugin shows its own plan float and diff tab, so it
  -- sends neither window/showMessageRequest nor window/showDocument for the gates.
  caps.experimental = caps.experimental or {}
  caps.experimental.burrow = { taskUpdate = true, chatDelta = true }
  return caps
end

local function on_init(client)
  local queue = waiting[client.id]
  waiting[client.id] = nil
  for _, run in ipairs(queue or {}) do
    run()
  end
end

--- The client configuration shared by every start path. `root_dir` is either a path or, for
--- `vim.lsp.config` on 0.11+, a function of the buffer.
---@param root_dir string|function
function M.client_config(root_dir)
  local opts = config.options
  return {
    name = M.name,
    cmd = vim.deepcopy(opts.cmd),
    cmd_env = opts.cmd_env,
    root_dir = root_dir,
    init_options = as_object(opts.settings),
    settings = { burrow = as_object(opts.settings) },
    capabilities = capabilities(),
    handlers = require('burrow.handlers').table(),
    on_init = on_init,
  }
end

--- The configuration `lsp/burrow.lua` returns for `vim.lsp.enable('burrow')`.
function M.lsp_config()
  return M.client_config(function(bufnr, on_dir)
    on_dir(M.root_for_buffer(bufnr))
  end)
end

--- Whether the server command can run at all. Checked before every start, because Neovim itself
--- would report a missing command once per attempt, that is once per file opened.
---@return boolean, string|nil reason
function M.startable()
  local cmd = config.options.cmd
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    return false, 'the cmd option must be a list such as { "burrow", "--stdio" }.'
  end
  if vim.fn.executable(cmd[1]) == 0 then
    return false, string.format('"%s" is not an executable on $PATH.', cmd[1])
  end
  return true
end

--- Attach a file buffer to the client for its root, starting one if needed. Buffers that are not
--- files (help, terminals, Burrow's own scratch buffers) are left alone.
function M.attach(bufnr)
  bufnr = bufnr == 0 and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  if vim.api.nvim_buf_get_name(bufnr) == '' then
    return nil
  end
  local root = M.root_for_buffer(bufnr)
  local existing = live(by_root[root])
  if existing then
    vim.lsp.buf_attach_client(bufnr, existing.id)
    return existing.id
  end
  local startable, reason = M.startable()
  if not startable then
    return nil, reason
  end
  local id, err = compat.start_for_buffer(M.client_config(root), bufnr)
  by_root[root] = id
  return id, err
end

--- Arrange for every file buffer opened from now on to get the client. On 0.11+ this is
--- `vim.lsp.enable`, reading lsp/burrow.lua; before that, an autocommand does the same.
function M.autostart()
  local group = vim.api.nvim_create_augroup('burrow.autostart', { clear = true })
  local warned = false
  local function warn_once(err)
    -- Say it once: a missing server would otherwise complain on every file opened.
    if err and not warned then
      warned = true
      vim.notify('Burrow could not start its server: ' .. err .. ' Set cmd in setup() and run :checkhealth burrow.', vim.log.levels.ERROR)
    end
  end
  if compat.has('0.11') and vim.lsp.enable then
    -- An empty config call forgets any resolved configuration, so options passed to a later
    -- setup() are read again by lsp/burrow.lua.
    vim.lsp.config(M.name, {})
    vim.lsp.enable(M.name)
    -- vim.lsp.enable skips a command that is not executable without a word; say why, once, when
    -- the first file opens, as the older path does.
    vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
      group = group,
      callback = function(args)
        if vim.bo[args.buf].buftype == '' then
          local _, reason = M.startable()
          warn_once(reason)
        end
      end,
    })
    return
  end
  local function attach(bufnr)
    local _, err = M.attach(bufnr)
    warn_once(err)
  end
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    callback = function(args)
      attach(args.buf)
    end,
  })
  attach(vim.api.nvim_get_current_buf())
end

--- The client to use for a command: the one attached to the current buffer, else one for the
--- current root, else any running one, else a new one started for the current buffer or directory.
---@return table|nil client, string|nil reason
function M.get()
  local bufnr = vim.api.nvim_get_current_buf()
  for _, client in ipairs(compat.buf_clients(bufnr)) do
    if client.name == M.name and not compat.is_stopped(client) then
      return client
    end
  end
  local root = M.root_for_buffer(bufnr)
  local mine = live(by_root[root])
  if mine then
    return mine
  end
  local running = compat.clients(M.name)
  for _, client in ipairs(running) do
    if client.config.root_dir == root then
      return client
    end
  end
  if running[1] then
    return running[1]
  end
  for _, id in pairs(by_root) do
    if live(id) then
      return live(id)
    end
  end
  local id, err = M.attach(bufnr)
  if not id and not err then
    local startable, reason = M.startable()
    if startable then
      id, err = compat.start_detached(M.client_config(root))
      by_root[root] = id
    else
      err = reason
    end
  end
  local client = live(id)
  if not client then
    return nil,
      string.format(
        'Burrow could not start its server (%s)%s Set cmd in setup() and run :checkhealth burrow.',
        table.concat(config.options.cmd, ' '),
        err and (': ' .. err) or '.'
      )
  end
  return client
end

--- A running client, without starting one (for the statusline and health check).
function M.running()
  for _, id in pairs(by_root) do
    if live(id) then
      return live(id)
    end
  end
  return compat.clients(M.name)[1]
end

--- Run `fn(client)` once the client has finished `initialize`.
local function when_ready(client, fn)
  if client.initialized then
    fn()
  else
    waiting[client.id] = waiting[client.id] or {}
    table.insert(waiting[client.id], fn)
  end
end

--- Send a request to Burrow. `callback(err, result, level)` runs on the main loop; `err` is a
--- sentence (with advice when the server gave a code) and `level` how loud to show it.
---@param method string
---@param params table
---@param callback fun(err: string|nil, result: any, level: integer|nil)|nil
function M.request(method, params, callback)
  callback = callback or function(err, _, level)
    if err then
      vim.notify(err, level or vim.log.levels.ERROR)
    end
  end
  local client, reason = M.get()
  if not client then
    callback(reason)
    return
  end
  when_ready(client, function()
    local sent = compat.request(client, method, params, function(err, result)
      if err then
        local code = type(err.data) == 'table' and err.data.code or nil
        local text, level = require('burrow.errors').describe(err.message or vim.inspect(err), code)
        callback('Burrow: ' .. text, nil, level)
      else
        callback(nil, result)
      end
    end, vim.api.nvim_get_current_buf())
    if not sent then
      callback('Burrow: the server is not running; restart Neovim or run :checkhealth burrow.')
    end
  end)
end

--- Run one of Burrow's workspace commands with its single object argument.
---@param command string e.g. "burrow.task"
---@param argument table|nil
---@param callback fun(err: string|nil, result: any, level: integer|nil)|nil
function M.execute(command, argument, callback)
  M.request('workspace/executeCommand', {
    command = command,
    arguments = { as_object(argument) },
  }, callback)
end

return M
