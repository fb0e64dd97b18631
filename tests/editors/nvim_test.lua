-- Drives Neovim's own language client against `dvcc lsp`: run headless by
-- tests/it/editors.rs with DVCC_BIN (the binary), DVCC_PROJECT (a copy of
-- examples/shop) and DVCC_PLUGIN (editors/nvim/dvcc.lua). Prints one line
-- per check and quits with status 1 on the first failure.
local bin = os.getenv("DVCC_BIN")
local project = os.getenv("DVCC_PROJECT")
local plugin = os.getenv("DVCC_PLUGIN")

local function fail(msg)
  io.stdout:write("FAIL " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function ok(msg)
  io.stdout:write("ok " .. msg .. "\n")
end

local ok_load, dvcc = pcall(dofile, plugin)
if not ok_load then
  fail("loading the plugin: " .. tostring(dvcc))
end
dvcc.setup({ cmd = { bin, "lsp" } })

vim.cmd("edit " .. project .. "/services.dvc")
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= "dvc" then
  fail("filetype is '" .. vim.bo[buf].filetype .. "', not dvc")
end

local function client_ready()
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    if c.initialized then
      return true
    end
  end
  return false
end
if not vim.wait(30000, client_ready, 50) then
  fail("no dvcc client attached")
end
ok("client attached")

-- A mistake typed into the buffer (not saved): its diagnostic arrives.
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local replicas_line
for i, l in ipairs(lines) do
  if l:match("^%s*replicas = 2") then
    replicas_line = i - 1
  end
end
if not replicas_line then
  fail("the example has no `replicas = 2` line")
end
vim.api.nvim_buf_set_lines(buf, replicas_line, replicas_line + 1, false, { '  replicas = "two"' })
local function has_error()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == "DVC0302" or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == "DVC0302") then
      return true
    end
  end
  return false
end
if not vim.wait(30000, has_error, 50) then
  fail("no DVC0302 diagnostic for `replicas = \"two\"`: " .. vim.inspect(vim.diagnostic.get(buf)))
end
ok("diagnostic DVC0302 on the unsaved edit")

-- Fixed again: the diagnostic goes away.
vim.api.nvim_buf_set_lines(buf, replicas_line, replicas_line + 1, false, { "  replicas = 2" })
if not vim.wait(30000, function()
  return #vim.diagnostic.get(buf) == 0
end, 50) then
  fail("the diagnostic was not cleared")
end
ok("diagnostic cleared")

local function request(method, params)
  local responses = vim.lsp.buf_request_sync(buf, method, params, 30000)
  if not responses then
    fail(method .. ": no answer")
  end
  for _, r in pairs(responses) do
    if r.error then
      fail(method .. ": " .. vim.inspect(r.error))
    end
    return r.result
  end
  fail(method .. ": empty answer")
end

local function at(line, col)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
end

-- Hover on `replicas`: the value in every environment.
local hover = request("textDocument/hover", at(replicas_line, 3))
local text = hover and hover.contents and hover.contents.value or ""
if not text:find("| production | `5` |", 1, true) then
  fail("hover shows no per-environment value: " .. text)
end
ok("hover")

-- Completion on a new, empty line inside `service api { }`.
vim.api.nvim_buf_set_lines(buf, replicas_line + 1, replicas_line + 1, false, { "  " })
local items = request("textDocument/completion", at(replicas_line + 1, 2))
items = items and (items.items or items) or {}
local labels = {}
for _, item in ipairs(items) do
  labels[item.label] = true
end
if not (labels["health"] == nil and labels["metrics"] and labels["ingress"]) then
  fail("completion: " .. vim.inspect(vim.tbl_keys(labels)))
end
ok("completion")
vim.api.nvim_buf_set_lines(buf, replicas_line + 1, replicas_line + 2, false, {})

-- Rename `api` (in `service api`) to `web`, through the client's own command.
local service_line
for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  if l:match("^service api") then
    service_line = i - 1
  end
end
vim.api.nvim_win_set_cursor(0, { service_line + 1, 9 })
vim.lsp.buf.rename("web")
local function renamed()
  local first = vim.api.nvim_buf_get_lines(buf, service_line, service_line + 1, false)[1]
  return first and first:match("^service web") ~= nil
end
if not vim.wait(30000, renamed, 50) then
  fail("rename did not change the buffer")
end
-- Other files of the project were edited too (loaded as buffers).
local obs = vim.fn.bufnr(project .. "/observability.dvc")
if obs < 0 then
  fail("rename did not edit observability.dvc")
end
local found = false
for _, l in ipairs(vim.api.nvim_buf_get_lines(obs, 0, -1, false)) do
  if l:match("service%s+=%s+web") then
    found = true
  end
end
if not found then
  fail("observability.dvc still names `api`")
end
ok("rename across files")

-- And the project is still clean after the rename.
if not vim.wait(30000, function()
  return #vim.diagnostic.get(buf) == 0
end, 50) then
  fail("diagnostics after the rename: " .. vim.inspect(vim.diagnostic.get(buf)))
end
ok("clean after rename")

vim.cmd("qall!")
