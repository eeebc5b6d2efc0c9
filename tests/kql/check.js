// Parses and analyses KQL with Microsoft's own Kusto.Language parser (the engine behind
// the Kusto language service), against the schemas of the Entra sign-in tables.
// Input on stdin: a JSON array of {"name": ..., "text": ...}. Output: one line per
// problem; exit status 1 if there are any.
global.Bridge = require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');
const K = global.Kusto.Language;

// Column lists from the Azure Monitor table references (the columns the queries use and
// their types; the non-interactive table keeps dynamic columns as strings).
const common = 'TimeGenerated:datetime, ResultType:string, ResultDescription:string, ResultSignature:string, ' +
  'UserPrincipalName:string, UserDisplayName:string, UserId:string, AppDisplayName:string, AppId:string, ' +
  'IPAddress:string, AutonomousSystemNumber:string, ClientAppUsed:string, ConditionalAccessStatus:string, ' +
  'CorrelationId:string, RiskLevelDuringSignIn:string, RiskState:string, IsInteractive:bool, ' +
  'ResourceDisplayName:string, UserAgent:string, Category:string';
const tables = [
  new K.Symbols.TableSymbol.$ctor7('SigninLogs',
    '(' + common + ', ConditionalAccessPolicies:dynamic, Status:dynamic, DeviceDetail:dynamic, LocationDetails:dynamic)', ''),
  new K.Symbols.TableSymbol.$ctor7('AADNonInteractiveUserSignInLogs',
    '(' + common + ', ConditionalAccessPolicies:string, Status:string, DeviceDetail:string, LocationDetails:string)', ''),
  // Windows event logs collected by the Azure Monitor agent (Event) and the Security log
  // (SecurityEvent): the columns of the Azure Monitor table references that queries use.
  new K.Symbols.TableSymbol.$ctor7('Event',
    '(TimeGenerated:datetime, Computer:string, EventCategory:int, EventData:string, EventID:int, ' +
    'EventLevel:int, EventLevelName:string, EventLog:string, Message:string, ParameterXml:string, ' +
    'RenderedDescription:string, Source:string, UserName:string)', ''),
  new K.Symbols.TableSymbol.$ctor7('SecurityEvent',
    '(TimeGenerated:datetime, Account:string, AccountType:string, Activity:string, Channel:string, ' +
    'Computer:string, EventData:string, EventID:int, EventSourceName:string, FailureReason:string, ' +
    'IpAddress:string, IpPort:string, Level:string, LogonType:int, ServiceName:string, Status:string, ' +
    'SubStatus:string, TargetAccount:string, TargetDomainName:string, TargetUserName:string, ' +
    'TargetUserSid:string, UserPrincipalName:string, WorkstationName:string)', ''),
];
const db = new K.Symbols.DatabaseSymbol.$ctor2('logs', null, tables);
const globals = K.GlobalState.Default.WithDatabase(db);

const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
let problems = 0;
for (const doc of input) {
  const code = K.KustoCode.ParseAndAnalyze(doc.text, globals);
  const diags = code.GetDiagnostics();
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    const line = doc.text.slice(0, d.Start).split('\n').length;
    console.log(`${doc.name}:${line}: ${d.Severity}: ${d.Message}`);
    if (d.Severity === 'Error') problems++;
  }
}
console.log(`checked ${input.length} KQL document(s), ${problems} error(s)`);
process.exit(problems ? 1 : 0);
