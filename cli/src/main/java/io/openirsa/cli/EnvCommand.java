package io.openirsa.cli;

import io.openirsa.core.model.AccessKey;
import io.openirsa.store.JdbcStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "env", mixinStandardHelpOptions = true,
        description = "Print export lines that point the AWS CLI and SDKs at the server using a data folder: eval \"$(bin/irsa env --data DIR)\"")
final class EnvCommand implements Callable<Integer> {
    @Option(names = "--data", description = "data folder (default: $OPENIRSA_DATA, else ~/.openirsa)")
    Path data;

    @Override
    public Integer call() throws Exception {
        Path dir = DataDir.resolve(data);
        DataDir.ServerInfo info = new DataDir(dir).readServerInfo();
        AccessKey key;
        var keyEncryption = new DataDir(dir).keyEncryption();
        key = JdbcStore.accessKeysOnce(info.database(), dir, info.accountId()).stream().findFirst()
                .map(k -> new AccessKey(k.accessKeyId(), keyEncryption.open(k.secretAccessKey()), k.accountId(), k.created()))
                .orElseThrow(() -> new IllegalStateException("account " + info.accountId() + " has no access key"));
        System.out.println("export AWS_ENDPOINT_URL=" + info.endpoint());
        System.out.println("export AWS_ACCESS_KEY_ID=" + key.accessKeyId());
        System.out.println("export AWS_SECRET_ACCESS_KEY=" + key.secretAccessKey());
        System.out.println("export AWS_REGION=" + info.region());
        System.out.println("export AWS_DEFAULT_REGION=" + info.region());
        return 0;
    }
}
